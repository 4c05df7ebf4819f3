-- JobSetUnparkedForTypes: a worker that handles these types has registered; the jobs parked
-- for want of one go back to dispatch, with the error of their last attempt again (a retried
-- job's failure, which parking had replaced with its own reason), or none.
--   $1 types text[]
-- Returns id, effective_priority of each job unparked, for the caller to put in its band.
UPDATE jobs j
SET parked_at = NULL,
    error = (SELECT e.error FROM job_executions e WHERE e.job_id = j.id ORDER BY e.attempt DESC LIMIT 1)
WHERE j.status = 'queued' AND j.parked_at IS NOT NULL AND j.type = ANY($1)
RETURNING j.id, j.effective_priority;
