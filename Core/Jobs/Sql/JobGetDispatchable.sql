-- JobGetDispatchable: which of these ids are jobs that belong in a band (queued, not parked).
-- The reconciler drops every other id it finds in Redis.
--   $1 ids uuid[]
SELECT id FROM jobs
WHERE id = ANY($1) AND status = 'queued' AND parked_at IS NULL;
