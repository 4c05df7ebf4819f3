-- JobGetFailedParents: the parents of these jobs that ended dead_lettered or cancelled, for a
-- job just created or restored to follow its on_dependency_failure about them. Each job's edges
-- are taken in a subquery of their own, and each parent's status by its key (see
-- JobLockAncestors.sql).
--   $1 ids uuid[]
SELECT DISTINCT p.id FROM unnest($1::uuid[]) AS given (id), LATERAL (
    SELECT d.depends_on_id AS id FROM job_dependencies d
    WHERE d.job_id = given.id
      AND (SELECT s.status FROM jobs s WHERE s.id = d.depends_on_id) IN ('dead_lettered', 'cancelled')
    OFFSET 0) p;
