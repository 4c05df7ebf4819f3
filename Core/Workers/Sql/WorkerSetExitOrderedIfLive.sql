-- WorkerSetExitOrderedIfLive: the health monitor tells a live worker to exit, once. The worker
-- reads the order back with its next report, should it miss the message on the control channel.
--   $1 id uuid    $2 now timestamptz
-- Returns the id; no row when the worker is not live or was told already.
UPDATE workers SET exit_ordered_at = $2
WHERE id = $1 AND status IN ('active', 'draining') AND exit_ordered_at IS NULL
RETURNING id;
