-- WorkerSetDrainingIfActive: an operator (or the health monitor) drains a worker: it stops
-- taking jobs and finishes those it holds.
--   $1 id uuid    $2 by the health monitor boolean
-- Returns the id; no row when the worker was not active.
UPDATE workers SET status = 'draining', drained_by_monitor = $2 WHERE id = $1 AND status = 'active' RETURNING id;
