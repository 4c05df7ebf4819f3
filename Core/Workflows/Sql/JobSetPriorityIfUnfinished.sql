-- JobSetPriorityIfUnfinished: a client changes the priority of a job that has not finished. Its
-- effective priority starts again from the new priority; the caller then recomputes it, and
-- those of the jobs it lifts, in the same transaction (JobLockAncestors, JobSetEffectivePriority).
-- The event names the priority before too: point-in-time recovery undoes changes from the log.
--   $1 id uuid    $2 priority smallint    $3 now timestamptz
-- Returns status; no row when the job is finished (or there is none).
WITH before AS (
    SELECT id, priority FROM jobs
    WHERE id = $1 AND status IN ('waiting', 'scheduled', 'queued', 'running')
    FOR UPDATE
), changed AS (
    UPDATE jobs j
    SET priority = $2, effective_priority = $2
    FROM before b
    WHERE j.id = b.id
    RETURNING j.id, j.status, j.attempts, j.parked_at, b.priority AS from_priority
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
    SELECT id, status, status, attempts, $3::timestamptz,
           jsonb_build_object('reason', 'priority changed', 'priority', $2::smallint, 'from', from_priority)
    FROM changed
)
SELECT status, parked_at IS NULL FROM changed;
