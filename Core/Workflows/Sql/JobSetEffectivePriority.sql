-- JobSetEffectivePriority: priority inheritance upward. While a waiting job depends, directly or
-- through other waiting jobs, on an unfinished job of lower priority, that job runs at the
-- waiting job's priority: effective_priority = the highest priority among the job itself and
-- every waiting job below it on a path of waiting jobs. Recomputed, raised or lowered, for the
-- jobs JobLockAncestors locked: call both with the jobs that began or stopped waiting, or whose
-- priority changed. The walk takes edges and statuses as JobLockAncestors.sql does.
--   $1 ids uuid[] (as JobLockAncestors returned them)
-- Returns id, effective_priority, queued of each job whose effective priority changed; queued:
-- it waits in a band, which may have to change.
WITH RECURSIVE above (id) AS (
    SELECT unnest($1::uuid[])
), region (id) AS (
    -- Those jobs and the waiting jobs under them, on paths of waiting jobs: the only ones that
    -- can lift them.
    SELECT id FROM above
    UNION
    SELECT c.id FROM region r, LATERAL (
        SELECT d.job_id AS id FROM job_dependencies d
        WHERE d.depends_on_id = r.id AND (SELECT s.status FROM jobs s WHERE s.id = d.job_id) = 'waiting'
        OFFSET 0) c
), edge (job_id, depends_on_id, priority) AS (
    -- The paths a priority travels, gathered once: from each waiting job of the region to its
    -- parents in it.
    SELECT c.id, p.id, c.priority FROM region r, LATERAL (
        SELECT s.id, s.priority FROM jobs s WHERE s.id = r.id AND s.status = 'waiting'
        OFFSET 0) c, LATERAL (
        SELECT d.depends_on_id AS id FROM job_dependencies d WHERE d.job_id = c.id
        OFFSET 0) p
    WHERE p.id IN (SELECT id FROM region)
), lift (id, priority) AS (
    -- Each waiting job lifts its parents to its own priority, and they lift theirs while they
    -- wait. UNION keeps one row per job and priority: at most five per job, however the paths run.
    SELECT depends_on_id, priority FROM edge
    UNION
    SELECT e.depends_on_id, l.priority FROM lift l
    JOIN edge e ON e.job_id = l.id
), target AS (
    SELECT a.id, greatest((SELECT s.priority FROM jobs s WHERE s.id = a.id), max(l.priority)) AS effective_priority
    FROM above a
    LEFT JOIN lift l ON l.id = a.id
    GROUP BY a.id
), changed AS (
    -- By an array of the keys, and the status test IS TRUE, as in JobSettleDependents.sql: the
    -- generic plan then finds each row by its key.
    UPDATE jobs j
    SET effective_priority = t.effective_priority
    FROM target t
    WHERE j.id = ANY (ARRAY(SELECT id FROM target)) AND j.id = t.id
      AND j.effective_priority <> t.effective_priority
      AND (j.status IN ('waiting', 'scheduled', 'queued', 'running')) IS TRUE
    RETURNING j.id, j.status, j.effective_priority, j.parked_at IS NULL AS dispatchable
)
SELECT id, effective_priority, status = 'queued' AND dispatchable AS queued FROM changed;
