-- JobSetQueuedIfWorkerDead: recovers the running jobs of every worker declared dead, at once
-- (not at their lease deadline). Each goes back to queued with its attempt recorded as
-- abandoned; a job whose cancellation was requested is cancelled; a job whose workers have now
-- died under it $1 times is a poison job and is quarantined in the dead letters instead of
-- crashing the next worker. The dead worker's lease tokens no longer match, so if it was only
-- paused it cannot finish anything it held.
--   $1 poison_threshold integer
-- Returns id, effective_priority, status (queued, cancelled or dead_lettered) of each job recovered.
WITH orphaned AS (
    SELECT j.id FROM jobs j
    JOIN workers w ON w.id = j.worker_id AND w.status = 'dead'
    WHERE j.status = 'running'
    ORDER BY j.id
    FOR UPDATE OF j SKIP LOCKED
), recovered AS (
    UPDATE jobs j
    SET crashes = j.crashes + 1,
        status = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                      WHEN j.crashes + 1 >= $1 THEN 'dead_lettered'
                      ELSE 'queued' END,
        error = CASE WHEN j.cancel_requested_at IS NULL AND j.crashes + 1 >= $1
                     THEN format('Quarantined: the worker running it died %s times.', j.crashes + 1)
                     ELSE j.error END,
        completed_at = CASE WHEN j.cancel_requested_at IS NOT NULL OR j.crashes + 1 >= $1 THEN now() END,
        lease_token = NULL,
        lease_expires_at = NULL
    FROM orphaned o
    WHERE j.id = o.id
    RETURNING j.id, j.effective_priority, j.status, j.attempts, j.worker_id
), executions AS (
    UPDATE job_executions e
    SET status = 'abandoned', finished_at = now(), error = 'The worker died: its heartbeat expired.'
    FROM recovered r
    WHERE e.job_id = r.id AND e.attempt = r.attempts AND e.status = 'running'
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at, detail)
    SELECT id, 'running', status, attempts, worker_id, now(), '{"reason": "worker died"}'::jsonb FROM recovered
)
SELECT id, effective_priority, status FROM recovered;
