-- JobSettleDependents: after parents finished, in the same transaction, their waiting
-- dependents follow. Run as its own statement after the parents' rows changed, so it sees every
-- edge committed before those rows were locked (a dependent created while its parent finished
-- either counted the parent as completed, or is seen here).
--   * A parent completed: each waiting dependent waits for one parent fewer, and is released
--     when it waits for none (queued, or scheduled if its runAt is still ahead).
--   * A parent ended dead_lettered or cancelled: each waiting dependent follows its own
--     on_dependency_failure: cancel → cancelled, naming the parent, and its own cancel-policy
--     dependents after it, down the graph; run → released at once; ignore → one parent fewer.
-- Counts change under each dependent's row lock, so parents finishing in concurrent
-- transactions never miss or double-count one.
--   $1 completed parent ids uuid[]    $2 failed parent ids uuid[] (dead_lettered or cancelled)
--   $3 dependents uuid[] (null: every dependent; else only these, for jobs just created or restored)
--   $4 now timestamptz
-- Returns id, status, effective_priority, holds_boost of each dependent that left waiting;
-- holds_boost: it may still have unfinished parents whose effective priority it raised.
WITH RECURSIVE cascade (id, cause) AS (
    SELECT c.id, d.depends_on_id
    FROM job_dependencies d
    JOIN jobs c ON c.id = d.job_id
    WHERE d.depends_on_id = ANY($2) AND c.status = 'waiting' AND c.on_dependency_failure = 'cancel'
      AND ($3::uuid[] IS NULL OR c.id = ANY($3))
    UNION
    SELECT c.id, d.depends_on_id
    FROM cascade x
    JOIN job_dependencies d ON d.depends_on_id = x.id
    JOIN jobs c ON c.id = d.job_id
    WHERE c.status = 'waiting' AND c.on_dependency_failure = 'cancel'
), cancelled AS (
    SELECT DISTINCT ON (id) id, cause FROM cascade ORDER BY id, cause
), finished_parent (id, failed, given) AS (
    SELECT id, false, true FROM unnest($1::uuid[]) AS id
    UNION ALL
    SELECT id, true, true FROM unnest($2::uuid[]) AS id
    UNION ALL
    SELECT id, true, false FROM cancelled
), settled AS (
    SELECT d.job_id AS id,
           count(*) FILTER (WHERE NOT p.failed) AS completed,
           count(*) FILTER (WHERE p.failed) AS failed
    FROM finished_parent p
    JOIN job_dependencies d ON d.depends_on_id = p.id
    WHERE (NOT p.given OR $3::uuid[] IS NULL OR d.job_id = ANY($3))
      AND d.job_id NOT IN (SELECT id FROM cancelled)
    GROUP BY d.job_id
), plan AS (
    SELECT id, cause, 0::bigint AS completed, 0::bigint AS failed FROM cancelled
    UNION ALL
    SELECT id, NULL, completed, failed FROM settled
), changed AS (
    UPDATE jobs j
    SET status = CASE
            WHEN p.cause IS NOT NULL THEN 'cancelled'
            WHEN (j.on_dependency_failure = 'run' AND p.failed > 0)
              OR j.dependencies_pending - p.completed - CASE WHEN j.on_dependency_failure = 'ignore' THEN p.failed ELSE 0 END <= 0
                THEN CASE WHEN j.scheduled_at > $4::timestamptz THEN 'scheduled' ELSE 'queued' END
            ELSE 'waiting' END,
        dependencies_pending = CASE WHEN p.cause IS NOT NULL THEN j.dependencies_pending
            ELSE greatest(j.dependencies_pending - p.completed - CASE WHEN j.on_dependency_failure = 'ignore' THEN p.failed ELSE 0 END, 0) END,
        cancelled_by_dependency = p.cause,
        error = CASE WHEN p.cause IS NOT NULL THEN format('Cancelled: job %s, which it depends on, ended %s.', p.cause,
                         CASE WHEN p.cause IN (SELECT id FROM cancelled) THEN 'cancelled'
                              ELSE (SELECT s.status FROM jobs s WHERE s.id = p.cause) END)
                     ELSE j.error END,
        completed_at = CASE WHEN p.cause IS NOT NULL THEN $4::timestamptz END,
        -- A job released with a runAt still ahead keeps it; one released later than its runAt is due now.
        scheduled_at = CASE WHEN p.cause IS NULL AND j.scheduled_at < $4::timestamptz THEN $4::timestamptz ELSE j.scheduled_at END
    FROM plan p
    WHERE j.id = p.id AND j.status = 'waiting'
    RETURNING j.id, j.status, j.effective_priority, j.attempts, j.cancelled_by_dependency AS cause, p.failed,
              j.on_dependency_failure = 'run' AND j.dependencies_pending > 0 AS released_early
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
    SELECT id, 'waiting', status, attempts, $4::timestamptz,
           CASE WHEN cause IS NOT NULL THEN jsonb_build_object('reason', 'dependency failed', 'dependency', cause)
                WHEN failed > 0 THEN jsonb_build_object('reason', 'dependency failed, released by policy')
                ELSE jsonb_build_object('reason', 'dependencies completed') END
    FROM changed
    WHERE status <> 'waiting'
)
SELECT id, status, effective_priority, cause IS NOT NULL OR released_early AS holds_boost
FROM changed
WHERE status <> 'waiting';
