-- JobSetRunningIfQueued: a worker takes the jobs Redis leased to it. Each job that is still
-- queued and of a type the worker handles becomes running under a fresh lease token, with its
-- attempt counted, its execution opened and its transition logged, in one statement. A job that
-- is not queued (cancelled, or started elsewhere from a duplicate entry) or whose row another
-- transaction holds right now (a parent's transaction settling it, a cancellation) or that is no
-- longer queued (cancelled, or started elsewhere from a duplicate entry) is left alone and not
-- returned: the caller puts back in its band any of those still queued. A queued job of a type
-- the worker does not handle is returned as unhandled.
--   $1 ids uuid[]    $2 worker_id uuid    $3 lease_grace interval (added to each job's timeout)
--   $4 handled_types text[]    $5 now timestamptz
-- Returns id, type, payload, attempts, failures, max_retries, timeout_ms, lease_token, started,
-- has_dependents (its finish settles them), scheduled_at (when it was due), trace_parent.
WITH claimable AS (
    -- In id order and skipping locked rows: concurrent takers never wait on or deadlock with
    -- each other.
    SELECT id, type FROM jobs
    WHERE id = ANY($1) AND status = 'queued' AND parked_at IS NULL
    ORDER BY id
    FOR UPDATE SKIP LOCKED
), started AS (
    UPDATE jobs j
    SET status = 'running',
        attempts = j.attempts + 1,
        worker_id = $2,
        lease_token = gen_random_uuid(),
        lease_expires_at = $5::timestamptz + j.timeout_ms * interval '1 millisecond' + $3,
        started_at = $5::timestamptz
    FROM claimable c
    WHERE j.id = c.id AND c.type = ANY($4)
    RETURNING j.id, j.type, j.payload, j.attempts, j.failures, j.max_retries, j.timeout_ms,
              j.lease_token, j.started_at,
              j.has_dependents, j.scheduled_at, j.trace_parent
), executions AS (
    INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at)
    SELECT id, attempts, $2, 'running', started_at FROM started
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at)
    SELECT id, 'queued', 'running', attempts, $2, started_at FROM started
)
SELECT id, type, payload::text, attempts, failures, max_retries, timeout_ms, lease_token, true, has_dependents,
       scheduled_at, trace_parent
FROM started
UNION ALL
SELECT id, type, NULL, NULL, NULL, NULL, NULL, NULL, false, false, NULL, NULL
FROM claimable
WHERE NOT (type = ANY($4));
