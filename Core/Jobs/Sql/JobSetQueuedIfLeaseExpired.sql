-- JobSetQueuedIfLeaseExpired: rescues running jobs whose lease deadline (timeout plus grace)
-- has passed: their worker died, hangs, or lost touch. Each goes back to queued with its
-- attempt recorded as abandoned; a job whose cancellation was requested is cancelled instead.
-- SKIP LOCKED: a rescuer never waits on, or races, a worker that is finishing the job.
--   $1 limit integer
-- Returns id, effective_priority, status (queued or cancelled) of each job rescued.
WITH expired AS (
    SELECT id FROM jobs
    WHERE status = 'running' AND lease_expires_at < now()
    ORDER BY lease_expires_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), rescued AS (
    UPDATE jobs j
    SET status = CASE WHEN j.cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END,
        completed_at = CASE WHEN j.cancel_requested_at IS NULL THEN NULL ELSE now() END,
        lease_token = NULL,
        lease_expires_at = NULL
    FROM expired x
    WHERE j.id = x.id
    RETURNING j.id, j.effective_priority, j.status, j.attempts, j.worker_id
), executions AS (
    UPDATE job_executions e
    SET status = 'abandoned', finished_at = now(), error = 'The lease expired: the worker died or stopped responding.'
    FROM rescued r
    WHERE e.job_id = r.id AND e.attempt = r.attempts AND e.status = 'running'
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at, detail)
    SELECT id, 'running', status, attempts, worker_id, now(), '{"reason": "lease expired"}'::jsonb FROM rescued
)
SELECT id, effective_priority, status FROM rescued;
