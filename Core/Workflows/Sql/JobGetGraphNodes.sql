-- JobGetGraphNodes: the jobs of one page of a graph, in the order given, each with the jobs it
-- waits for. A job purged since its edges were read is left out.
--   $1 ids uuid[]
-- Returns id, type, status, priority, effective_priority, depends_on.
SELECT j.id, j.type, j.status, j.priority, j.effective_priority,
       array(SELECT d.depends_on_id FROM job_dependencies d WHERE d.job_id = j.id ORDER BY d.depends_on_id) AS depends_on
FROM unnest($1::uuid[]) WITH ORDINALITY AS page (id, n)
JOIN jobs j ON j.id = page.id
ORDER BY page.n;
