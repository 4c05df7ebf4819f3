-- JobGetParentResults: how the parents of jobs about to run ended, for their handlers to read.
--   $1 ids uuid[]
-- Returns job_id, parent id, type, status, result, error, ordered by job and parent.
SELECT d.job_id, p.id, p.type, p.status, p.result::text, p.error
FROM job_dependencies d
JOIN jobs p ON p.id = d.depends_on_id
WHERE d.job_id = ANY($1)
ORDER BY d.job_id, p.id;
