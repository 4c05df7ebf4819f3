-- JobGetGraph: a page of the jobs around one job: its ancestors (the jobs it waits for, and
-- theirs), then its descendants (the jobs that wait for it, and theirs), each at the length of
-- its shortest path, nearest first. Keyset pages over (relation, depth, id).
--   $1 id uuid    $2 after_relation integer (0 ancestors, 1 descendants)    $3 after_depth integer
--   $4 after_id uuid    $5 limit integer    (start: 0, 0, the nil uuid)
-- Returns relation, depth, id, type, status, priority, effective_priority, depends_on.
WITH RECURSIVE up (id, depth) AS (
    SELECT depends_on_id, 1 FROM job_dependencies WHERE job_id = $1
    UNION
    SELECT d.depends_on_id, u.depth + 1 FROM up u JOIN job_dependencies d ON d.job_id = u.id
), down (id, depth) AS (
    SELECT job_id, 1 FROM job_dependencies WHERE depends_on_id = $1
    UNION
    SELECT d.job_id, x.depth + 1 FROM down x JOIN job_dependencies d ON d.depends_on_id = x.id
), node (relation, id, depth) AS (
    SELECT 0, id, min(depth) FROM up GROUP BY id
    UNION ALL
    SELECT 1, id, min(depth) FROM down GROUP BY id
)
SELECT n.relation, n.depth, j.id, j.type, j.status, j.priority, j.effective_priority,
       array(SELECT d.depends_on_id FROM job_dependencies d WHERE d.job_id = j.id ORDER BY d.depends_on_id) AS depends_on
FROM node n
JOIN jobs j ON j.id = n.id
WHERE (n.relation, n.depth, n.id) > ($2::integer, $3::integer, $4::uuid)
ORDER BY n.relation, n.depth, n.id
LIMIT $5;
