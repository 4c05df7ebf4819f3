-- JobSetCancelledIfRunning: a running job whose cancellation was requested has stopped.
-- Fenced by the lease token.
--   $1 id uuid    $2 lease_token uuid
-- Returns the id; no row when the lease was lost.
WITH cancelled AS (
    UPDATE jobs j
    SET status = 'cancelled',
        lease_token = NULL,
        lease_expires_at = NULL,
        cancel_requested_at = coalesce(j.cancel_requested_at, now()),
        completed_at = now()
    WHERE j.id = $1 AND j.lease_token = $2 AND j.status = 'running'
    RETURNING j.id, j.attempts, j.worker_id, j.completed_at
), execution AS (
    UPDATE job_executions e
    SET status = 'cancelled', finished_at = c.completed_at
    FROM cancelled c
    WHERE e.job_id = c.id AND e.attempt = c.attempts
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at)
    SELECT id, 'running', 'cancelled', attempts, worker_id, completed_at FROM cancelled
)
SELECT id FROM cancelled;
