-- JobSetQueuedIfDue: the promoter queues scheduled jobs whose time has come (a runAt, or the
-- end of a retry's backoff). Rows are claimed with SKIP LOCKED, so several promoters running at
-- once never promote a job twice.
--   $1 limit integer    $2 now timestamptz
-- Returns id, effective_priority of each job queued, for the caller to put in its band.
WITH due AS (
    SELECT id FROM jobs
    WHERE status = 'scheduled' AND scheduled_at <= $2::timestamptz
    ORDER BY scheduled_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), queued AS (
    UPDATE jobs j
    SET status = 'queued'
    FROM due d
    WHERE j.id = d.id
    RETURNING j.id, j.effective_priority, j.attempts
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at)
    SELECT id, 'scheduled', 'queued', attempts, $2::timestamptz FROM queued
)
SELECT id, effective_priority FROM queued;
