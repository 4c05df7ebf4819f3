-- JobSetScheduledIfRunning: an attempt failed or timed out and the job has retries left. It
-- waits in scheduled until its backoff has passed; the promoter then queues it again. Fenced by
-- the lease token, and not for a job whose cancellation was requested (the caller cancels it).
--   $1 id uuid    $2 lease_token uuid    $3 execution_status text ('failed' or 'timed_out')
--   $4 error text    $5 delay interval
-- Returns scheduled_at; no row when the guard did not hold.
WITH failed AS (
    UPDATE jobs j
    SET status = 'scheduled',
        failures = j.failures + 1,
        error = $4,
        scheduled_at = now() + $5,
        lease_token = NULL,
        lease_expires_at = NULL
    WHERE j.id = $1 AND j.lease_token = $2 AND j.status = 'running' AND j.cancel_requested_at IS NULL
    RETURNING j.id, j.attempts, j.worker_id, j.scheduled_at
), execution AS (
    UPDATE job_executions e
    SET status = $3, finished_at = now(), error = $4
    FROM failed f
    WHERE e.job_id = f.id AND e.attempt = f.attempts
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at, detail)
    SELECT id, 'running', 'scheduled', attempts, worker_id, now(),
           jsonb_build_object('outcome', $3::text, 'error', $4::text, 'retryAt', scheduled_at)
    FROM failed
)
SELECT scheduled_at FROM failed;
