-- JobLockAncestors: the first half of priority inheritance upward (JobSetEffectivePriority):
-- the given jobs that are unfinished, and every unfinished job above them on a path of waiting
-- jobs, locked in id order. Locked before they are recomputed, in a statement of its own, so
-- the recomputation's snapshot sees every change committed to the graph around them first (a
-- dependent created, or released, at the same moment).
--   $1 ids uuid[]
-- Returns the id of each job locked.
WITH RECURSIVE above (id) AS (
    -- The given jobs that are unfinished, and every unfinished parent of a given job...
    SELECT j.id FROM jobs j
    WHERE j.id = ANY($1) AND j.status IN ('waiting', 'scheduled', 'queued', 'running')
    UNION
    SELECT p.id FROM job_dependencies d
    JOIN jobs p ON p.id = d.depends_on_id
    WHERE d.job_id = ANY($1) AND p.status IN ('waiting', 'scheduled', 'queued', 'running')
    UNION
    -- ...and on up, through waiting jobs only: a job that no longer waits passes nothing up.
    SELECT p.id FROM above a
    JOIN jobs c ON c.id = a.id AND c.status = 'waiting'
    JOIN job_dependencies d ON d.job_id = a.id
    JOIN jobs p ON p.id = d.depends_on_id AND p.status IN ('waiting', 'scheduled', 'queued', 'running')
)
SELECT j.id FROM jobs j
WHERE j.id IN (SELECT id FROM above)
ORDER BY j.id
FOR UPDATE OF j;
