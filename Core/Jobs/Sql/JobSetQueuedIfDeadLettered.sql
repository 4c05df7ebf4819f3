-- JobSetQueuedIfDeadLettered: an operator requeues a dead letter. Its failure and crash counts
-- start over, so it gets its full retries again, and a quarantined poison job its full count of
-- worker deaths; its attempt history stays.
--   $1 id uuid    $2 now timestamptz
-- Returns effective_priority; no row when the job is not a dead letter.
WITH requeued AS (
    UPDATE jobs j
    SET status = 'queued',
        failures = 0,
        crashes = 0,
        error = NULL,
        completed_at = NULL,
        scheduled_at = $2::timestamptz
    WHERE j.id = $1 AND j.status = 'dead_lettered'
    RETURNING j.id, j.effective_priority, j.attempts
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
    SELECT id, 'dead_lettered', 'queued', attempts, $2::timestamptz, '{"reason": "requeued"}'::jsonb FROM requeued
)
SELECT effective_priority FROM requeued;
