-- JobGetQueuedPage: the reconciler walks every dispatchable job (queued, not parked) in id
-- order, a page at a time, to check that Redis holds it; a job created since $3 is left to its
-- creator's push, which may still be on its way.
--   $1 after_id uuid (the last id of the previous page; the zero uuid to begin)    $2 limit integer
--   $3 created_before timestamptz
SELECT id, effective_priority FROM jobs
WHERE status = 'queued' AND parked_at IS NULL AND id > $1 AND created_at < $3
ORDER BY id
LIMIT $2;
