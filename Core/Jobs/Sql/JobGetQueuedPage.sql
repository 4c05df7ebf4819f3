-- JobGetQueuedPage: the reconciler walks every dispatchable job (queued, not parked) in id
-- order, a page at a time, to check that Redis holds it.
--   $1 after_id uuid (the last id of the previous page; the zero uuid to begin)    $2 limit integer
SELECT id, effective_priority FROM jobs
WHERE status = 'queued' AND parked_at IS NULL AND id > $1
ORDER BY id
LIMIT $2;
