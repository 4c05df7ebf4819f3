-- JobHoldDependentsAgain: parents that a restore took back out of a finished state, whose waiting
-- dependents had counted them as done: each such dependent waits for them again. Every dependent
-- counted a completed parent; a dead_lettered or cancelled one only those that ignore a failure
-- (the others were released or cancelled by it). The jobs the restore wrote in the same batch
-- counted their parents as they were and are left out. Dependents are locked in id order, as
-- JobSettleDependents locks them, and their counts change under that lock.
--   $1 parents taken back from completed uuid[]    $2 parents taken back from dead_lettered or cancelled uuid[]
--   $3 jobs the batch restored uuid[]
WITH reopened (id, failed) AS (
    SELECT id, false FROM unnest($1::uuid[]) AS id
    UNION ALL
    SELECT id, true FROM unnest($2::uuid[]) AS id
), held AS (
    SELECT d.job_id AS id,
           count(*) FILTER (WHERE NOT r.failed) AS completed,
           count(*) FILTER (WHERE r.failed) AS failed
    FROM reopened r
    JOIN job_dependencies d ON d.depends_on_id = r.id
    WHERE NOT (d.job_id = ANY ($3::uuid[]))
    GROUP BY d.job_id
), locked AS (
    SELECT j.id FROM jobs j
    WHERE j.id = ANY (ARRAY(SELECT id FROM held)) AND (j.status = 'waiting') IS TRUE
    ORDER BY j.id
    FOR UPDATE OF j
)
UPDATE jobs j
SET dependencies_pending = j.dependencies_pending + h.completed
                           + CASE WHEN j.on_dependency_failure = 'ignore' THEN h.failed ELSE 0 END
FROM locked l
JOIN held h ON h.id = l.id
WHERE j.id = l.id;
