-- JobSetRunningIfQueued: writes the starts of jobs that workers run under Redis leases and that
-- outlived the start window (a short job's start goes with its outcome instead, in
-- JobStartAndFinishIfQueued). Each job that is still
-- queued, and whose fence is older than the lease's token, becomes running under the worker's
-- lease token, with its attempt counted, its execution opened and its transition logged, in one
-- statement. A job that is not queued (cancelled, or started under another lease) or whose fence
-- is as new as the token (its attempt under this lease was already recorded abandoned, or a newer
-- lease started it) is left alone and not returned, as is one that has counted an attempt since
-- the worker read it (or since its ticket was written): the start is written only as the attempt
-- its handler was told it runs. Rows are locked in id order and waited for: a start must not be
-- skipped for a moment's lock, since the worker already ran the job. Two starts of one job in one
-- batch (a worker holding two leases of it, the first one lost) are told apart by their order:
-- the job is written with the start that passed the guard (the first such), never another.
-- A start already written under this very lease token (the statement tried again after its
-- commit's answer was lost) is returned again, unchanged: the worker must not take its own
-- written start for a refusal and stop a job that is rightly running.
--   $1 ids uuid[]    $2 worker_ids uuid[]    $3 fences bigint[]    $4 lease_tokens uuid[]
--   $5 started_at timestamptz[]    $6 lease_graces interval[] (added to each job's timeout)
--   $7 attempts integer[] (the attempt each start is, counted from 1)
--   (arrays of the same length, in the same order)
-- Returns the id and lease token of each start written, now or before.
WITH start AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::timestamptz[], $6::interval[], $7::integer[])
        WITH ORDINALITY AS s(id, worker_id, fence, lease_token, started_at, lease_grace, attempt, n)
), claimable AS (
    -- The batch's rows by key, locked in id order; the guard is one condition, IS TRUE, which no
    -- index can serve (see JobStartAndFinishIfQueued.sql). A start already written under this
    -- lease passes it too, marked written, and is locked like the rest: the first try may still
    -- be committing when this one reads, and the lock waits for its answer.
    SELECT s.*, j.status = 'running' AS written FROM jobs j JOIN start s ON s.id = j.id
    WHERE j.id = ANY($1::uuid[])
      AND ((j.status = 'queued' AND j.parked_at IS NULL AND j.fence < s.fence AND j.attempts = s.attempt - 1)
           OR (j.status = 'running' AND j.lease_token = s.lease_token)) IS TRUE
    ORDER BY j.id
    FOR UPDATE OF j
), chosen AS (
    -- Each row carries its start, so the update joins nothing more.
    SELECT DISTINCT ON (id) * FROM claimable ORDER BY id, n
), started AS (
    UPDATE jobs j
    SET status = 'running',
        attempts = j.attempts + 1,
        worker_id = s.worker_id,
        fence = s.fence,
        lease_token = s.lease_token,
        lease_expires_at = s.started_at + j.timeout_ms * interval '1 millisecond' + s.lease_grace,
        started_at = s.started_at
    FROM chosen s
    WHERE j.id = s.id AND NOT s.written
    RETURNING j.id, j.attempts, j.worker_id, j.started_at, j.lease_token
), executions AS (
    INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at)
    SELECT id, attempts, worker_id, 'running', started_at FROM started
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at)
    SELECT id, 'queued', 'running', attempts, worker_id, started_at FROM started
)
SELECT id, lease_token FROM started
UNION ALL
SELECT id, lease_token FROM chosen WHERE written;
