-- JobGetFailedParents: the parents of these jobs that ended dead_lettered or cancelled, for a
-- job just created or restored to follow its on_dependency_failure about them.
--   $1 ids uuid[]
SELECT DISTINCT p.id FROM job_dependencies d
JOIN jobs p ON p.id = d.depends_on_id
WHERE d.job_id = ANY($1) AND p.status IN ('dead_lettered', 'cancelled');
