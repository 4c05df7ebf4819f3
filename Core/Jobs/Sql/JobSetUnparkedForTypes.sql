-- JobSetUnparkedForTypes: a worker that handles these types has registered; the jobs parked
-- for want of one go back to dispatch.
--   $1 types text[]
-- Returns id, effective_priority of each job unparked, for the caller to put in its band.
UPDATE jobs
SET parked_at = NULL, error = NULL
WHERE status = 'queued' AND parked_at IS NOT NULL AND type = ANY($1)
RETURNING id, effective_priority;
