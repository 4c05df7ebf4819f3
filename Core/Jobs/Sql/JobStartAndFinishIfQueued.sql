-- JobStartAndFinishIfQueued: records, in one statement, an attempt that ran from start to outcome
-- on its Redis lease alone: a job that finished within the worker's start window, or one whose
-- worker is gone before its start was written (a rescuer records that attempt abandoned). It is
-- JobSetRunningIfQueued and JobFinishIfRunning in one: one new version of each job's row, its
-- execution inserted closed, and one event for the whole attempt, from queued to the outcome,
-- carrying the attempt's start in started_at (0014). Each job is recorded only while it is still
-- queued, its fence older than the lease's token, which it then takes, and its attempts one fewer
-- than the attempt recorded (see JobSetRunningIfQueued.sql): a job cancelled meanwhile, started or
-- rescued under the same or a newer lease, or that counted an attempt since it was read, is left
-- alone and not returned. Two attempts of one job in one batch (a worker holding two leases of
-- it, the first one lost) are told apart by their order: the job is recorded with the attempt
-- that passed the guard (the first such), never with another's outcome or fence.
-- A job that some job depends on is recorded only with $15 = false, in a
-- transaction in which the caller then settles its dependents. The outcomes are those of
-- JobFinishIfRunning, built by the named constructors of JobFinish; no cancellation can have been
-- requested of a job that never ran in PostgreSQL's view (a queued job is cancelled outright).
--   $1 ids uuid[]    $2 worker_ids uuid[]    $3 fences bigint[]    $4 started_at timestamptz[]
--   $5 attempts integer[] (the attempt each start is, counted from 1)
--   $6 statuses text[] (the job's next status)    $7 execution_statuses text[]
--   $8 results json[]    $9 errors text[]    $10 retry_at timestamptz[] (scheduled only)
--   $11 failures integer[] (0 or 1)    $12 crashes integer[] (0 or 1)    $13 reasons text[]
--   $14 now timestamptz    $15 only_without_dependents boolean
--   (arrays of the same length, in the same order)
-- Returns id, status, effective_priority, fence (of the lease the attempt ran under) of each job recorded.
WITH outcome AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::timestamptz[], $5::integer[], $6::text[], $7::text[],
                         $8::json[], $9::text[], $10::timestamptz[], $11::integer[], $12::integer[], $13::text[])
        WITH ORDINALITY AS o(id, worker_id, fence, started_at, attempt, status, execution_status, result, error, retry_at, failures, crashes, reason, n)
), claimable AS (
    -- The batch's rows by key (id = ANY($1) as well as the join), locked in id order. The guard is
    -- one condition, IS TRUE, which no index can serve: written as plain conditions, its status
    -- test let the generic plan walk every queued entry of the status index for each batch
    -- (16-31 ms a statement of 64 jobs with 20,000 queued, against 3 by key; 2026-12-05). As a
    -- condition of the locking query, it is checked again on a row changed meanwhile, so only
    -- the rows that pass are locked.
    SELECT o.* FROM jobs j JOIN outcome o ON o.id = j.id
    WHERE j.id = ANY($1::uuid[])
      AND (j.status = 'queued' AND j.parked_at IS NULL AND j.fence < o.fence
           AND j.attempts = o.attempt - 1 AND NOT ($15 AND j.has_dependents)) IS TRUE
    ORDER BY j.id
    FOR UPDATE OF j
), chosen AS (
    -- Each row carries its outcome, so the update joins nothing more: joined to outcome again by
    -- ordinal, the generic plan compared every pair (a quarter of the statement at 64 jobs).
    SELECT DISTINCT ON (id) * FROM claimable ORDER BY id, n
), finished AS (
    UPDATE jobs j
    SET status = o.status,
        attempts = j.attempts + 1,
        worker_id = o.worker_id,
        fence = o.fence,
        started_at = o.started_at,
        result = CASE WHEN o.status = 'completed' THEN o.result ELSE j.result END,
        error = CASE WHEN o.status = 'completed' THEN NULL
                     WHEN o.status = 'queued' THEN j.error   -- an abandoned attempt's error is its execution's only
                     ELSE coalesce(o.error, j.error) END,
        failures = j.failures + o.failures,
        crashes = j.crashes + o.crashes,
        scheduled_at = CASE WHEN o.status = 'scheduled' THEN o.retry_at ELSE j.scheduled_at END,
        attempt_finished_at = greatest(o.started_at, $14::timestamptz),
        cancel_requested_at = CASE WHEN o.status = 'cancelled' THEN $14::timestamptz END,
        completed_at = CASE WHEN o.status IN ('completed', 'dead_lettered', 'cancelled') THEN $14::timestamptz END
    FROM chosen o
    WHERE j.id = o.id
    RETURNING j.id, j.status, j.effective_priority, j.fence, j.attempts, j.worker_id, j.started_at, j.scheduled_at,
              o.execution_status, o.error, o.reason
), executions AS (
    INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at, finished_at, error)
    SELECT id, attempts, worker_id, execution_status, started_at, greatest(started_at, $14::timestamptz), error
    FROM finished
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at, started_at, detail)
    SELECT id, 'queued', status, attempts, worker_id, greatest(started_at, $14::timestamptz), started_at,
           CASE WHEN status <> 'completed' THEN jsonb_strip_nulls(jsonb_build_object(
               'outcome', execution_status, 'error', error, 'reason', reason,
               'retryAt', CASE WHEN status = 'scheduled' THEN scheduled_at END)) END
    FROM finished
)
SELECT id, status, effective_priority, fence FROM finished;
