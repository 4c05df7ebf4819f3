-- JobSetCancelRequestedIfRunning: a client cancels a running job. The request is recorded
-- here (so no later retry or hand-back can revive the job) and the worker is told over pub/sub;
-- the job becomes cancelled when its handler stops.
--   $1 id uuid    $2 now timestamptz
-- Returns the id; no row when the job was not running.
UPDATE jobs
SET cancel_requested_at = coalesce(cancel_requested_at, $2::timestamptz)
WHERE id = $1 AND status = 'running'
RETURNING id;
