-- JobSetDeadLetteredIfRunning: an attempt failed with no retries left (or with an error no
-- retry can fix). The job goes to the dead letters, where it stays until requeued by hand.
-- Fenced by the lease token, and not for a job whose cancellation was requested.
--   $1 id uuid    $2 lease_token uuid    $3 execution_status text ('failed' or 'timed_out')
--   $4 error text
-- Returns the id; no row when the guard did not hold.
WITH failed AS (
    UPDATE jobs j
    SET status = 'dead_lettered',
        failures = j.failures + 1,
        error = $4,
        lease_token = NULL,
        lease_expires_at = NULL,
        completed_at = now()
    WHERE j.id = $1 AND j.lease_token = $2 AND j.status = 'running' AND j.cancel_requested_at IS NULL
    RETURNING j.id, j.attempts, j.worker_id, j.completed_at
), execution AS (
    UPDATE job_executions e
    SET status = $3, finished_at = f.completed_at, error = $4
    FROM failed f
    WHERE e.job_id = f.id AND e.attempt = f.attempts
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at, detail)
    SELECT id, 'running', 'dead_lettered', attempts, worker_id, completed_at,
           jsonb_build_object('outcome', $3::text, 'error', $4::text)
    FROM failed
)
SELECT id FROM failed;
