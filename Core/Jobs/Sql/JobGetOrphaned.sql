-- JobGetOrphaned: the running jobs of every worker declared dead, recovered at once (not at
-- their lease deadline) through JobFinishIfRunning, fenced by the token read here. The dead
-- worker's lease tokens then no longer match, so if it was only paused it finishes nothing.
--   $1 limit integer
-- Returns id, lease_token, crashes.
SELECT j.id, j.lease_token, j.crashes FROM jobs j
JOIN workers w ON w.id = j.worker_id AND w.status = 'dead'
WHERE j.status = 'running'
ORDER BY j.id
LIMIT $1;
