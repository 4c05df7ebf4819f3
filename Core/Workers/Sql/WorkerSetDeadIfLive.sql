-- WorkerSetDeadIfLive: the health monitor declares a worker whose heartbeat expired dead.
--   $1 id uuid
-- Returns the id; no row when the worker was not live.
UPDATE workers
SET status = 'dead', stopped_at = now(), current_load = 0
WHERE id = $1 AND status IN ('active', 'draining')
RETURNING id;
