-- JobSetEffectivePriority: priority inheritance upward. While a waiting job depends, directly or
-- through other waiting jobs, on an unfinished job of lower priority, that job runs at the
-- waiting job's priority: effective_priority = the highest priority among the job itself and
-- every waiting job below it on a path of waiting jobs. Recomputed, raised or lowered, for the
-- jobs JobLockAncestors locked: call both with the jobs that began or stopped waiting, or whose
-- priority changed.
--   $1 ids uuid[] (as JobLockAncestors returned them)
-- Returns id, effective_priority, queued of each job whose effective priority changed; queued:
-- it waits in a band, which may have to change.
WITH RECURSIVE above (id) AS (
    SELECT unnest($1::uuid[])
), below (id) AS (
    -- The waiting jobs under those, on paths of waiting jobs: the only ones that can lift them.
    SELECT d.job_id FROM above a
    JOIN job_dependencies d ON d.depends_on_id = a.id
    JOIN jobs c ON c.id = d.job_id AND c.status = 'waiting'
    UNION
    SELECT d.job_id FROM below b
    JOIN job_dependencies d ON d.depends_on_id = b.id
    JOIN jobs c ON c.id = d.job_id AND c.status = 'waiting'
), region (id) AS (
    SELECT id FROM above UNION SELECT id FROM below
), lift (id, priority) AS (
    -- Each waiting job lifts its parents to its own priority, and they lift theirs while they
    -- wait. UNION keeps one row per job and priority: at most five per job, however the paths run.
    SELECT d.depends_on_id, c.priority FROM below b
    JOIN jobs c ON c.id = b.id
    JOIN job_dependencies d ON d.job_id = b.id
    JOIN region r ON r.id = d.depends_on_id
    UNION
    SELECT d.depends_on_id, l.priority FROM lift l
    JOIN jobs c ON c.id = l.id AND c.status = 'waiting'
    JOIN job_dependencies d ON d.job_id = l.id
    JOIN region r ON r.id = d.depends_on_id
), target AS (
    SELECT a.id, greatest(j.priority, max(l.priority)) AS effective_priority
    FROM above a
    JOIN jobs j ON j.id = a.id
    LEFT JOIN lift l ON l.id = a.id
    GROUP BY a.id, j.priority
), changed AS (
    UPDATE jobs j
    SET effective_priority = t.effective_priority
    FROM target t
    WHERE j.id = t.id AND j.effective_priority <> t.effective_priority
      AND j.status IN ('waiting', 'scheduled', 'queued', 'running')
    RETURNING j.id, j.status, j.effective_priority, j.parked_at IS NULL AS dispatchable
)
SELECT id, effective_priority, status = 'queued' AND dispatchable AS queued FROM changed;
