-- JobSetQueuedIfRunning: a worker hands a running job back (it is shutting down, or was told
-- to drain). The attempt is recorded as abandoned and is not a failure. Fenced by the lease
-- token, and not for a job whose cancellation was requested (the caller cancels it).
--   $1 id uuid    $2 lease_token uuid    $3 reason text
-- Returns effective_priority, to put the job back in its band; no row when the guard did not hold.
WITH handed_back AS (
    UPDATE jobs j
    SET status = 'queued',
        lease_token = NULL,
        lease_expires_at = NULL
    WHERE j.id = $1 AND j.lease_token = $2 AND j.status = 'running' AND j.cancel_requested_at IS NULL
    RETURNING j.id, j.attempts, j.worker_id, j.effective_priority
), execution AS (
    UPDATE job_executions e
    SET status = 'abandoned', finished_at = now(), error = $3
    FROM handed_back h
    WHERE e.job_id = h.id AND e.attempt = h.attempts
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at, detail)
    SELECT id, 'running', 'queued', attempts, worker_id, now(), jsonb_build_object('reason', $3::text)
    FROM handed_back
)
SELECT effective_priority FROM handed_back;
