-- JobGetFailedParents: the parents of these jobs that ended dead_lettered or cancelled, for a
-- job just created or restored to follow its on_dependency_failure about them.
--   $1 ids uuid[]
-- Each status test is one condition no index can serve, (...) IS TRUE, so every job is found by
-- its key, not by walking a status's entries (see JobGetStartable.sql).
SELECT DISTINCT p.id FROM job_dependencies d
JOIN jobs p ON p.id = d.depends_on_id
WHERE d.job_id = ANY($1) AND (p.status IN ('dead_lettered', 'cancelled')) IS TRUE;
