-- WorkerSetStoppedIfLive: a worker that exits cleanly says so. A worker already marked dead
-- stays dead: the health monitor's verdict is not overwritten by a late goodbye.
--   $1 id uuid    $2 now timestamptz
-- Returns the id when the worker was marked stopped.
UPDATE workers
SET status = 'stopped', stopped_at = $2::timestamptz, current_load = 0
WHERE id = $1 AND status IN ('active', 'draining')
RETURNING id;
