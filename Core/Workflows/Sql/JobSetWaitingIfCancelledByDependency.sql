-- JobSetWaitingIfCancelledByDependency: a dead-lettered parent was requeued. The jobs its failure
-- cancelled (and those theirs cancelled, down the graph) wait again, each for its parents that
-- have not completed; a waiting dependent that dropped the parent, or a job brought back, from
-- its wait (policy ignore) waits for it again. Parents are counted under a lock, in id order: a
-- parent finishing right now either finished before the count, or waits for this commit and then
-- settles the restored job. The caller then settles the restored jobs against any other parent
-- that failed, and recomputes effective priorities, locking those parents again to lift them: so
-- they are locked to be changed, not shared, or two requeues under one parent would each wait
-- for the other's share to end (a deadlock).
--   $1 parent id uuid    $2 now timestamptz
-- Returns id of each job restored.
WITH RECURSIVE restored (id) AS (
    SELECT id FROM jobs WHERE cancelled_by_dependency = $1 AND status = 'cancelled'
    UNION
    SELECT j.id FROM restored r
    JOIN jobs j ON j.cancelled_by_dependency = r.id AND j.status = 'cancelled'
), parent AS (
    SELECT d.job_id, p.id, p.status FROM job_dependencies d
    JOIN jobs p ON p.id = d.depends_on_id
    WHERE d.job_id IN (SELECT id FROM restored)
    ORDER BY p.id
    FOR NO KEY UPDATE OF p
), waiting AS (
    UPDATE jobs j
    SET status = 'waiting',
        cancelled_by_dependency = NULL,
        error = NULL,
        completed_at = NULL,
        dependencies_pending = (SELECT count(*) FROM parent p WHERE p.job_id = j.id AND p.status <> 'completed')
    FROM restored r
    WHERE j.id = r.id
    RETURNING j.id, j.attempts
), ignoring AS (
    -- Counted per dependent: one that ignores several of these parents dropped each of them.
    UPDATE jobs j
    SET dependencies_pending = j.dependencies_pending + d.dropped
    FROM (
        SELECT job_id, count(*) AS dropped FROM job_dependencies
        WHERE depends_on_id = $1 OR depends_on_id IN (SELECT id FROM restored)
        GROUP BY job_id
    ) d
    WHERE j.id = d.job_id AND j.status = 'waiting' AND j.on_dependency_failure = 'ignore'
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
    SELECT id, 'cancelled', 'waiting', attempts, $2::timestamptz, jsonb_build_object('reason', 'dependency requeued', 'dependency', $1::uuid)
    FROM waiting
)
SELECT id FROM waiting;
