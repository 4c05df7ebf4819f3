-- JobGetOrphaned: the running jobs of every worker that is gone, recovered at once (not at their
-- lease deadline) through JobFinishIfRunning, fenced by the token read here. A worker declared
-- dead has its crash counted against the job; a worker that stopped cleanly yet left a job
-- running (its outcome's write failed, or a start committed whose answer it never got) has not.
-- A worker still writing outcomes does not say it stopped (WorkerRegistrationService). The gone
-- worker's lease tokens then no longer match, so if it was only paused it finishes nothing.
--   $1 limit integer
-- Returns id, lease_token, crashes, whether the worker died.
SELECT j.id, j.lease_token, j.crashes, w.status = 'dead' AS worker_died FROM jobs j
JOIN workers w ON w.id = j.worker_id AND w.status IN ('dead', 'stopped')
WHERE j.status = 'running'
ORDER BY j.id
LIMIT $1;
