-- JobGetFailedParents: the parents of these jobs that ended dead_lettered or cancelled, for a
-- job just created or restored to follow its on_dependency_failure about them. Each parent is
-- looked up by key (see JobLockAncestors.sql).
--   $1 ids uuid[]
SELECT DISTINCT p.id FROM unnest($1::uuid[]) AS given (id), LATERAL (
    SELECT d.depends_on_id AS id FROM job_dependencies d
    WHERE d.job_id = given.id
      AND (SELECT p.status FROM jobs p WHERE p.id = d.depends_on_id) IN ('dead_lettered', 'cancelled')
    OFFSET 0) p;
