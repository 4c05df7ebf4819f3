-- RestoreEdgesAmong: the dependency edges among some of a restore's jobs, so that each is written
-- after its parents among them.
--   $1 ids uuid[]
-- Returns job_id, depends_on_id of each edge with both ends among the ids.
SELECT d.job_id, d.depends_on_id
FROM unnest($1::uuid[]) AS c (id)
JOIN job_dependencies d ON d.job_id = c.id
JOIN unnest($1::uuid[]) AS p (id) ON p.id = d.depends_on_id;
