-- CheckerHistory: what each broken job ($1) went through, on one line for the report, so that a
-- failure found once in a long run can be explained from its output alone: the row's attempts
-- and fence; every attempt (number, status, worker, start and end by the database's clock,
-- error); every transition (statuses, attempt, worker, time); the attempts that left an effect.
--   $1 ids uuid[]
-- Returns id, history.
SELECT j.id,
       'attempts ' || j.attempts || ', fence ' || j.fence
       || '; executions: ' || coalesce((
              SELECT string_agg(e.attempt || ' ' || e.status || ' on ' || left(e.worker_id::text, 8)
                                || ' ' || to_char(e.started_at, 'HH24:MI:SS.MS') || '–' || coalesce(to_char(e.finished_at, 'HH24:MI:SS.MS'), '')
                                || coalesce(' (' || left(e.error, 120) || ')', ''), ', ' ORDER BY e.attempt)
              FROM job_executions e WHERE e.job_id = j.id), 'none')
       || '; events: ' || coalesce((
              SELECT string_agg(coalesce(v.from_status, 'new') || '→' || v.to_status || coalesce(' #' || v.attempt, '')
                                || coalesce(' on ' || left(v.worker_id::text, 8), '') || ' ' || to_char(v.at, 'HH24:MI:SS.MS'), ', ' ORDER BY v.id)
              FROM job_events v WHERE v.job_id = j.id), 'none')
       || '; effects: ' || coalesce((
              SELECT string_agg(f.attempt || ' on ' || left(f.worker_id::text, 8) || ' ' || to_char(f.recorded_at, 'HH24:MI:SS.MS'), ', ' ORDER BY f.attempt)
              FROM job_effects f WHERE f.job_id = j.id), 'none') AS history
FROM jobs j
WHERE j.id = ANY($1);
