-- JobSetCompletedIfRunning: records successful attempts. Each job completes only if it is still
-- running under the lease token given (fencing): a worker that lost its lease changes nothing.
-- Closes the attempt's execution and logs the transition in the same statement.
--   $1 ids uuid[]    $2 lease_tokens uuid[]    $3 results json[]   (same length, same order)
-- Returns the id of each job completed; a missing id lost its lease.
WITH finished AS (
    UPDATE jobs j
    SET status = 'completed',
        result = f.result,
        error = NULL,
        lease_token = NULL,
        lease_expires_at = NULL,
        completed_at = now()
    FROM unnest($1::uuid[], $2::uuid[], $3::json[]) AS f(id, lease_token, result)
    -- Only a running job has a lease token (a CHECK in the schema), so the token match is the
    -- status test. Naming the status here too would tempt the planner into scanning every
    -- running entry of the status index, dead ones included, instead of one key per job.
    WHERE j.id = f.id AND j.lease_token = f.lease_token
    RETURNING j.id, j.attempts, j.worker_id, j.completed_at
), executions AS (
    UPDATE job_executions e
    SET status = 'completed', finished_at = f.completed_at
    FROM finished f
    WHERE e.job_id = f.id AND e.attempt = f.attempts
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at)
    SELECT id, 'running', 'completed', attempts, worker_id, completed_at FROM finished
)
SELECT id FROM finished;
