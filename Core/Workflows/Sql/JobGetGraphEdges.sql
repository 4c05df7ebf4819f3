-- JobGetGraphEdges: the edges around one job, for the graph read to place each job at the length
-- of its shortest path (JobGraphPositions): those above it (from it, and from each job it waits
-- for directly or through others, to their parents) and those below it (to it, and to each job
-- that waits for it, from their dependents). The walk carries ids alone, so UNION visits each job
-- once: carrying the length of a path instead visited a job once for each length of path that
-- reaches it, which a ladder of 2,000 jobs (each waiting for the two before it) made a million
-- rows. Each step takes a job's edges by its key, in a subquery of its own (OFFSET 0 keeps the
-- planner from merging it into a join over the whole table; see JobLockAncestors.sql).
--   $1 id uuid
-- Returns relation (0 above, 1 below), job_id, depends_on_id.
WITH RECURSIVE up (id) AS (
    SELECT $1::uuid
    UNION
    SELECT p.id FROM up u, LATERAL (
        SELECT d.depends_on_id AS id FROM job_dependencies d WHERE d.job_id = u.id OFFSET 0) p
), down (id) AS (
    SELECT $1::uuid
    UNION
    SELECT c.id FROM down x, LATERAL (
        SELECT d.job_id AS id FROM job_dependencies d WHERE d.depends_on_id = x.id OFFSET 0) c
)
SELECT 0, u.id, p.depends_on_id FROM up u, LATERAL (
    SELECT d.depends_on_id FROM job_dependencies d WHERE d.job_id = u.id OFFSET 0) p
UNION ALL
SELECT 1, c.job_id, x.id FROM down x, LATERAL (
    SELECT d.job_id FROM job_dependencies d WHERE d.depends_on_id = x.id OFFSET 0) c;
