-- JobSettleDependents: after parents finished, in the same transaction, their waiting
-- dependents follow. Run as its own statement after the parents' rows changed, so it sees every
-- edge committed before those rows were locked (a dependent created while its parent finished
-- either counted the parent as completed, or is seen here).
--   * A parent completed: the dependent waits for one parent fewer, and is released when it
--     waits for none (queued, or scheduled if its runAt is still ahead).
--   * A parent ended dead_lettered or cancelled: the dependent follows its on_dependency_failure:
--     cancel → cancelled, naming the parent; run → released at once; ignore → one parent fewer.
-- One level only: the caller settles the dependents of the jobs this cancelled in turn, so only
-- the transaction that really cancelled a job settles what waits for it. Dependents are locked
-- in id order (no deadlock between transactions settling the same ones), and their counts
-- change under that lock, so parents finishing at once never miss or double-count one.
--   $1 completed parent ids uuid[]    $2 failed parent ids uuid[] (dead_lettered or cancelled)
--   $3 dependents uuid[] (null: every dependent; else only these, for jobs just created or restored)
--   $4 now timestamptz
-- Returns id, status, effective_priority, holds_boost of each dependent that left waiting;
-- holds_boost: it may still have unfinished parents whose effective priority it raised.
WITH finished_parent (id, failed) AS (
    SELECT id, false FROM unnest($1::uuid[]) AS id
    UNION ALL
    SELECT id, true FROM unnest($2::uuid[]) AS id
), settled AS (
    SELECT d.job_id AS id,
           count(*) FILTER (WHERE NOT p.failed) AS completed,
           count(*) FILTER (WHERE p.failed) AS failed,
           (min(d.depends_on_id::text) FILTER (WHERE p.failed))::uuid AS failed_parent
    FROM finished_parent p
    JOIN job_dependencies d ON d.depends_on_id = p.id
    WHERE $3::uuid[] IS NULL OR d.job_id = ANY($3)
    GROUP BY d.job_id
), locked AS (
    -- The dependents by their keys, locked in id order. The status test is one condition no
    -- index can serve (see JobGetStartable.sql): a plain one let statistics taken when nothing
    -- waited walk every waiting entry of the status index, once per statement or per dependent.
    SELECT j.id FROM jobs j
    WHERE j.id = ANY (ARRAY(SELECT id FROM settled)) AND (j.status = 'waiting') IS TRUE
    ORDER BY j.id
    FOR UPDATE OF j
), changed AS (
    UPDATE jobs j
    SET status = CASE
            WHEN j.on_dependency_failure = 'cancel' AND s.failed > 0 THEN 'cancelled'
            WHEN (j.on_dependency_failure = 'run' AND s.failed > 0)
              OR j.dependencies_pending - s.completed - CASE WHEN j.on_dependency_failure = 'ignore' THEN s.failed ELSE 0 END <= 0
                THEN CASE WHEN j.scheduled_at > $4::timestamptz THEN 'scheduled' ELSE 'queued' END
            ELSE 'waiting' END,
        dependencies_pending = greatest(j.dependencies_pending - s.completed
                                        - CASE WHEN j.on_dependency_failure = 'ignore' THEN s.failed ELSE 0 END, 0),
        cancelled_by_dependency = CASE WHEN j.on_dependency_failure = 'cancel' AND s.failed > 0 THEN s.failed_parent END,
        error = CASE WHEN j.on_dependency_failure = 'cancel' AND s.failed > 0
                     THEN format('Cancelled: job %s, which it depends on, ended %s.', s.failed_parent,
                                 (SELECT p.status FROM jobs p WHERE p.id = s.failed_parent))
                     ELSE j.error END,
        completed_at = CASE WHEN j.on_dependency_failure = 'cancel' AND s.failed > 0 THEN $4::timestamptz END
    FROM locked l
    JOIN settled s ON s.id = l.id
    -- Locked above while waiting, so still waiting: the update reads the version locked.
    WHERE j.id = l.id
    RETURNING j.id, j.status, j.effective_priority, j.attempts, j.cancelled_by_dependency AS cause, s.failed,
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
