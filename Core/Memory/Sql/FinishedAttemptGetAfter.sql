-- FinishedAttemptGetAfter: the next events of job_events after id $1 (at most $2), stopping
-- before the first one stamped at or after $3, with the attempt each finishing event closed.
-- A finishing event is one out of 'running' (JobFinishIfRunning writes it with the execution's
-- outcome in the same statement); other events come back with a null execution status, so the
-- caller can move its cursor past them.
--
-- Why stop before the newest events: an id is taken when a row is inserted, not when its
-- transaction commits, so a finish with a smaller id may become visible after one with a larger
-- id was read. Reading only events stamped a few seconds ago or earlier leaves those
-- transactions time to commit; a finish still uncommitted that long after it was stamped would
-- be skipped (a known, bounded gap of memory: it is a sample of the past, not a ledger).
--   $1 after_id bigint    $2 limit integer    $3 before timestamptz
-- Returns event id, job id, attempt, the job's status after the event, the execution's status,
-- error, start and finish, and the job's type (these last five null unless the event is a finish
-- whose job is still there).
WITH next AS (
    SELECT id, job_id, from_status, to_status, attempt, at
    FROM job_events
    WHERE id > $1
    ORDER BY id
    LIMIT $2
), settled AS (
    SELECT * FROM next
    WHERE id < coalesce((SELECT min(id) FROM next WHERE at >= $3), 9223372036854775807)
)
-- Each finish looks up its attempt and job by key (LATERAL). A plain join let the planner hash
-- all of job_executions and jobs for every page: a scan of the whole history per page, which
-- grew with it and took over a third of PostgreSQL's statement time while workers drained a backlog.
SELECT s.id, s.job_id, s.attempt, s.to_status, f.status, f.error, f.started_at, f.finished_at, f.type
FROM settled s
LEFT JOIN LATERAL (
    SELECT x.status, x.error, x.started_at, x.finished_at, j.type
    FROM job_executions x
    JOIN jobs j ON j.id = x.job_id
    WHERE s.from_status = 'running' AND x.job_id = s.job_id AND x.attempt = s.attempt
) f ON true
ORDER BY s.id;
