-- JobSetUnparkedForTypes: a worker that handles these types has registered; the jobs parked
-- for want of one go back to dispatch. A job that failed since its retries were last given back
-- shows its last failure again, which parking had replaced with its own reason (an abandoned
-- attempt never set it); any other shows none.
--   $1 types text[]
-- Returns id, effective_priority of each job unparked, for the caller to put in its band.
UPDATE jobs j
SET parked_at = NULL,
    error = CASE WHEN j.failures > 0 THEN (
                SELECT e.error FROM job_executions e
                WHERE e.job_id = j.id AND e.status IN ('failed', 'timed_out')
                ORDER BY e.attempt DESC LIMIT 1)
            END
WHERE j.status = 'queued' AND j.parked_at IS NOT NULL AND j.type = ANY($1)
RETURNING j.id, j.effective_priority;
