-- WorkerSetDeadIfLive: the health monitor declares a worker whose heartbeat expired dead.
--   $1 id uuid    $2 now timestamptz
-- Returns the id; no row when the worker was not live.
UPDATE workers
SET status = 'dead', stopped_at = $2::timestamptz, current_load = 0
WHERE id = $1 AND status IN ('active', 'draining')
RETURNING id;
