-- RestoreLockParents: in a restore batch's transaction, before it counts the parents of the jobs
-- it puts back to waiting, queued or scheduled: those parents, locked in id order. A parent
-- finishing meanwhile either finished before the count, or waits for the batch's commit and then
-- settles the job restored (which its settling would otherwise not have seen waiting). Locked to
-- be changed, not shared, as the priorities recomputed afterwards lock them again
-- (JobInsertBatch.sql says why).
--   $1 ids uuid[] (the jobs put back to waiting, queued or scheduled)
SELECT p.id FROM jobs p
WHERE p.id IN (SELECT d.depends_on_id FROM job_dependencies d WHERE d.job_id = ANY ($1))
ORDER BY p.id
FOR NO KEY UPDATE OF p;
