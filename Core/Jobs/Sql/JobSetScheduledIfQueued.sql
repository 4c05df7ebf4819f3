-- JobSetScheduledIfQueued: defers a queued job that the worker which took it cannot run, while
-- another live worker can: it comes back after the delay, instead of bouncing between workers.
-- Not an attempt.
--   $1 id uuid    $2 delay interval    $3 reason text    $4 now timestamptz
-- Returns the id; no row when the job was not queued.
WITH deferred AS (
    UPDATE jobs j
    SET status = 'scheduled', scheduled_at = $4::timestamptz + $2
    WHERE j.id = $1 AND j.status = 'queued'
    RETURNING j.id, j.attempts, j.scheduled_at
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
    SELECT id, 'queued', 'scheduled', attempts, $4::timestamptz, jsonb_build_object('reason', $3::text, 'retryAt', scheduled_at)
    FROM deferred
)
SELECT id FROM deferred;
