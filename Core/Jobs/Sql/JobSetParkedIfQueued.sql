-- JobSetParkedIfQueued: no live worker handles the job's type. The job stays queued, visibly
-- (parked_at and error say why), and leaves the dispatch bands until a worker that handles the
-- type registers (JobSetUnparkedForTypes). Fenced as JobSetScheduledIfQueued is.
--   $1 id uuid    $2 error text    $3 now timestamptz    $4 fence bigint (the lease's token)
-- Returns the id; no row when the job was not queued, was parked already, or the lease is behind its fence.
UPDATE jobs
SET parked_at = $3::timestamptz, error = $2
WHERE id = $1 AND status = 'queued' AND parked_at IS NULL AND fence < $4
RETURNING id;
