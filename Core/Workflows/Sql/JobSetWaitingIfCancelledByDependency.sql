-- JobSetWaitingIfCancelledByDependency: a dead-lettered or cancelled parent was requeued; the
-- jobs its failure cancelled (and those theirs cancelled, down the graph) wait again, each for
-- its parents that have not completed. The caller then settles them against any other parent
-- that failed meanwhile, and recomputes effective priorities.
--   $1 parent id uuid    $2 now timestamptz
-- Returns id of each job restored.
WITH RECURSIVE restored (id) AS (
    SELECT id FROM jobs WHERE cancelled_by_dependency = $1 AND status = 'cancelled'
    UNION
    SELECT j.id FROM restored r
    JOIN jobs j ON j.cancelled_by_dependency = r.id AND j.status = 'cancelled'
), waiting AS (
    UPDATE jobs j
    SET status = 'waiting',
        cancelled_by_dependency = NULL,
        error = NULL,
        completed_at = NULL,
        dependencies_pending = (SELECT count(*) FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_id
                                WHERE d.job_id = j.id AND p.status <> 'completed')
    FROM restored r
    WHERE j.id = r.id
    RETURNING j.id, j.attempts
), events AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
    SELECT id, 'cancelled', 'waiting', attempts, $2::timestamptz, jsonb_build_object('reason', 'dependency requeued', 'dependency', $1::uuid)
    FROM waiting
)
SELECT id FROM waiting;
