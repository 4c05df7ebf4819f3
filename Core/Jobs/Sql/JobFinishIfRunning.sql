-- JobFinishIfRunning: finishes a batch of running attempts, whatever their outcome, each only
-- while it still runs under the lease token given (fencing): a worker that lost its lease, or a
-- rescue that lost the race to the worker, changes nothing. One row per attempt, built by the
-- named constructors of JobFinish (Core/Jobs/JobFinish.cs):
--   completed                          → completed, with its result
--   failed or timed out, retries left  → scheduled at retry_at, a failure counted
--   failed, no retries left            → dead_lettered, a failure counted
--   cancelled as requested             → cancelled
--   handed back, abandoned             → queued again; not a failure (a crash counted when its worker died)
--   quarantined                        → dead_lettered after its workers died under it too often
-- A requested cancellation wins over every outcome but success: such a job ends cancelled, and
-- a failure it had then is not counted. The attempt's execution is closed and the transition
-- logged in the same statement. A job that some job depends on is finished only with
-- $12 = false, in a transaction in which the caller then settles its dependents; with $12 = true
-- it is left running (and not returned), so a job no job depends on takes one statement.
--   $1 ids uuid[]    $2 lease_tokens uuid[]    $3 statuses text[] (the job's next status)
--   $4 execution_statuses text[]    $5 results json[]    $6 errors text[]
--   $7 retry_at timestamptz[] (scheduled only)    $8 failures integer[] (0 or 1)
--   $9 crashes integer[] (0 or 1)    $10 reasons text[] (null: none)    $11 now timestamptz
--   $12 only_without_dependents boolean
--   (arrays of the same length, in the same order)
-- Returns id, status, effective_priority, fence (of the lease the attempt ran under) of each job finished.
WITH outcome AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::json[], $6::text[],
                         $7::timestamptz[], $8::integer[], $9::integer[], $10::text[])
        AS o(id, lease_token, status, execution_status, result, error, retry_at, failures, crashes, reason)
), finished AS (
    UPDATE jobs j
    SET status = CASE WHEN j.cancel_requested_at IS NOT NULL AND o.status <> 'completed' THEN 'cancelled' ELSE o.status END,
        result = CASE WHEN o.status = 'completed' THEN o.result ELSE j.result END,
        error = CASE WHEN o.status = 'completed' THEN NULL
                     WHEN o.status = 'queued' THEN j.error   -- an abandoned attempt's error is its execution's only
                     ELSE coalesce(o.error, j.error) END,
        failures = j.failures + CASE WHEN j.cancel_requested_at IS NULL THEN o.failures ELSE 0 END,
        crashes = j.crashes + o.crashes,
        scheduled_at = CASE WHEN o.status = 'scheduled' AND j.cancel_requested_at IS NULL THEN o.retry_at ELSE j.scheduled_at END,
        lease_token = NULL,
        lease_expires_at = NULL,
        attempt_finished_at = greatest(j.started_at, $11::timestamptz),
        cancel_requested_at = coalesce(j.cancel_requested_at, CASE WHEN o.status = 'cancelled' THEN $11::timestamptz END),
        completed_at = CASE WHEN o.status IN ('completed', 'dead_lettered', 'cancelled') OR j.cancel_requested_at IS NOT NULL
                            THEN $11::timestamptz END
    FROM outcome o
    -- Only a running job has a lease token (a CHECK in the schema), so the token match is the
    -- status test. Naming the status here too would tempt the planner into scanning every
    -- running entry of the status index, dead ones included, instead of one key per job.
    WHERE j.id = o.id AND j.lease_token = o.lease_token AND NOT ($12 AND j.has_dependents)
    RETURNING j.id, j.status, j.effective_priority, j.fence, j.attempts, j.worker_id, j.scheduled_at,
              o.execution_status, o.error, o.reason
), executions AS (
    UPDATE job_executions e
    SET status = CASE WHEN f.status = 'cancelled' AND f.execution_status IN ('failed', 'timed_out') THEN 'cancelled'
                      ELSE f.execution_status END,
        -- The attempt started on the clock of the worker that started it; a rescuer's clock may
        -- run behind that one, and an attempt never ends before it began.
        finished_at = greatest(e.started_at, $11::timestamptz),
        error = f.error
    FROM finished f
    WHERE e.job_id = f.id AND e.attempt = f.attempts
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at, detail)
    SELECT id, 'running', status, attempts, worker_id, $11::timestamptz,
           CASE WHEN status <> 'completed' THEN jsonb_strip_nulls(jsonb_build_object(
               'outcome', execution_status, 'error', error, 'reason', reason,
               'retryAt', CASE WHEN status = 'scheduled' THEN scheduled_at END)) END
    FROM finished
)
SELECT id, status, effective_priority, fence FROM finished;
