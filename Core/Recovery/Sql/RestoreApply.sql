-- RestoreApply: puts a batch of jobs back in their target states, each only while it is still as
-- the plan saw it (state and attempts): a job that moved meanwhile is left to what moved it. A job
-- put back to waiting keeps its run time and waits for the parents that have not completed now;
-- with none, it is queued, or scheduled while its run time is ahead, as a released job is. A job
-- put back to queued or scheduled whose parents have not all completed now (a parent put back
-- since the snapshot) waits for them instead: it never runs before a parent.
-- Attempts never go back (each attempt keeps its execution row); failures and crashes do, which
-- gives back the retries used since. Each job restored logs an event that says why. The jobs
-- around them follow in the same transaction (JobStore.FollowRestoredAsync).
--   $1 ids uuid[]    $2 expected_status text[]    $3 expected_attempts integer[]
--   $4 status text[]    $5 priority smallint[]    $6 effective_priority smallint[]
--   $7 failures integer[]    $8 crashes integer[]    $9 run_at timestamptz[]
--   $10 now timestamptz    $11 detail jsonb
-- Returns id, status, effective_priority, status before, has_dependents of each job restored.
WITH target AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::text[], $5::smallint[],
                         $6::smallint[], $7::integer[], $8::integer[], $9::timestamptz[])
        AS t(id, expected_status, expected_attempts, status, priority, effective_priority, failures, crashes, run_at)
), parents AS (
    -- A parent this batch puts back from completed counts as not completed: its dependent waits
    -- for it again rather than running before it.
    SELECT t.id, count(*) FILTER (
               WHERE p.status IS DISTINCT FROM 'completed'
                  OR (pt.status <> 'completed' AND p.status = pt.expected_status AND p.attempts = pt.expected_attempts)
           ) AS pending
    FROM target t
    JOIN job_dependencies d ON d.job_id = t.id
    LEFT JOIN jobs p ON p.id = d.depends_on_id
    LEFT JOIN target pt ON pt.id = d.depends_on_id
    WHERE t.status IN ('waiting', 'queued', 'scheduled')
    GROUP BY t.id
), restored AS (
    UPDATE jobs j
    SET status = CASE WHEN coalesce(p.pending, 0) > 0 THEN 'waiting'
                      WHEN t.status = 'waiting'
                      THEN CASE WHEN t.run_at > $10::timestamptz THEN 'scheduled' ELSE 'queued' END
                      ELSE t.status END,
        priority = t.priority,
        effective_priority = greatest(t.effective_priority, t.priority),
        failures = least(t.failures, j.attempts),
        crashes = least(t.crashes, j.attempts),
        dependencies_pending = coalesce(p.pending, 0),
        scheduled_at = CASE WHEN t.status IN ('scheduled', 'waiting') THEN t.run_at ELSE $10::timestamptz END,
        result = CASE WHEN j.status = 'completed' THEN NULL ELSE j.result END,
        completed_at = NULL,
        cancel_requested_at = NULL,
        cancelled_by_dependency = NULL,
        parked_at = NULL
    FROM target t
    LEFT JOIN parents p ON p.id = t.id
    WHERE j.id = t.id AND j.status = t.expected_status AND j.attempts = t.expected_attempts
      AND j.status <> 'running'
    RETURNING j.id, t.expected_status, j.status, j.attempts, j.effective_priority, j.has_dependents
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
    SELECT id, expected_status, status, attempts, $10::timestamptz, $11::jsonb FROM restored
)
SELECT id, status, effective_priority, expected_status, has_dependents FROM restored;
