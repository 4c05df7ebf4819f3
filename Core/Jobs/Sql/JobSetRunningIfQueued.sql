-- JobSetRunningIfQueued: a worker takes the jobs Redis leased to it. Each job that is still
-- queued becomes running under a fresh lease token, with its attempt counted, its execution
-- opened and its transition logged, in one statement. A job that is not queued (cancelled, or
-- started by another worker from a duplicate entry) or whose row another transaction holds is
-- left alone and not returned: the caller drops it.
--   $1 ids uuid[]    $2 worker_id uuid    $3 lease_grace interval (added to each job's timeout)
-- Returns id, type, payload, attempts, max_retries, timeout_ms, lease_token of each started job.
WITH claimable AS (
    -- In id order and skipping locked rows: concurrent takers never wait on or deadlock with
    -- each other.
    SELECT id FROM jobs
    WHERE id = ANY($1) AND status = 'queued'
    ORDER BY id
    FOR UPDATE SKIP LOCKED
), started AS (
    UPDATE jobs j
    SET status = 'running',
        attempts = j.attempts + 1,
        worker_id = $2,
        lease_token = gen_random_uuid(),
        lease_expires_at = now() + j.timeout_ms * interval '1 millisecond' + $3,
        started_at = now()
    FROM claimable c
    WHERE j.id = c.id
    RETURNING j.id, j.type, j.payload, j.attempts, j.max_retries, j.timeout_ms, j.lease_token,
              j.started_at
), executions AS (
    INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at)
    SELECT id, attempts, $2, 'running', started_at FROM started
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at)
    SELECT id, 'queued', 'running', attempts, $2, started_at FROM started
)
SELECT id, type, payload, attempts, max_retries, timeout_ms, lease_token FROM started;
