-- JobLockAncestors: the first half of priority inheritance upward (JobSetEffectivePriority):
-- the given jobs that are unfinished, and every unfinished job above them on a path of waiting
-- jobs, locked in id order. Locked before they are recomputed, in a statement of its own, so
-- the recomputation's snapshot sees every change committed to the graph around them first (a
-- dependent created, or released, at the same moment).
-- Each step of the walk takes a job's edges in a subquery of its own (OFFSET 0 keeps the planner
-- from merging it into the outer query), and a job's status by its key: joined instead,
-- statistics taken when nothing waited let the generic plan read the status index's every
-- waiting entry at each step (bench/PERFORMANCE.md). A status test beside id = ANY is written
-- IS TRUE, which no index serves, for the reason given in JobStartAndFinishIfQueued.sql.
--   $1 ids uuid[]
-- Returns the id of each job locked.
WITH RECURSIVE above (id) AS (
    -- The given jobs that are unfinished, and every unfinished parent of a given job...
    SELECT j.id FROM jobs j
    WHERE j.id = ANY($1) AND (j.status IN ('waiting', 'scheduled', 'queued', 'running')) IS TRUE
    UNION
    SELECT p.id FROM unnest($1::uuid[]) AS given (id), LATERAL (
        SELECT d.depends_on_id AS id FROM job_dependencies d
        WHERE d.job_id = given.id
          AND (SELECT s.status FROM jobs s WHERE s.id = d.depends_on_id) IN ('waiting', 'scheduled', 'queued', 'running')
        OFFSET 0) p
    UNION
    -- ...and on up, through waiting jobs only: a job that no longer waits passes nothing up.
    SELECT p.id FROM above a, LATERAL (
        SELECT d.depends_on_id AS id FROM job_dependencies d
        WHERE d.job_id = a.id
          AND (SELECT s.status FROM jobs s WHERE s.id = d.depends_on_id) IN ('waiting', 'scheduled', 'queued', 'running')
        OFFSET 0) p
    WHERE (SELECT s.status FROM jobs s WHERE s.id = a.id) = 'waiting'
)
SELECT j.id FROM jobs j
WHERE j.id = ANY (ARRAY(SELECT id FROM above))
ORDER BY j.id
FOR UPDATE OF j;
