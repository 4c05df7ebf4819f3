-- JobGetLeaseExpired: running jobs whose lease deadline (timeout plus grace) has passed: their
-- worker died, hangs, or lost touch. The rescuer finishes each as abandoned through
-- JobFinishIfRunning, fenced by the token read here: a worker that finishes it meanwhile wins.
--   $1 now timestamptz    $2 limit integer
-- Returns id, lease_token, crashes, oldest deadline first.
SELECT id, lease_token, crashes FROM jobs
WHERE status = 'running' AND lease_expires_at < $1
ORDER BY lease_expires_at
LIMIT $2;
