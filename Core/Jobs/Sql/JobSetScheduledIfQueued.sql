-- JobSetScheduledIfQueued: defers a queued job that the worker which took it cannot run, while
-- another live worker can: it comes back after the delay, instead of bouncing between workers.
-- Not an attempt. Fenced as a start is: once the job's fence has passed the lease it was read
-- under (that lease's attempt recorded abandoned by a rescuer, a newer lease's start written),
-- the worker that read it decides nothing, however long it was away.
--   $1 id uuid    $2 delay interval    $3 reason text    $4 now timestamptz    $5 fence bigint (the lease's token)
-- Returns the id; no row when the job was not queued, or the lease is behind its fence.
WITH deferred AS (
    UPDATE jobs j
    SET status = 'scheduled', scheduled_at = $4::timestamptz + $2
    WHERE j.id = $1 AND j.status = 'queued' AND j.fence < $5
    RETURNING j.id, j.attempts, j.scheduled_at
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
    SELECT id, 'queued', 'scheduled', attempts, $4::timestamptz, jsonb_build_object('reason', $3::text, 'retryAt', scheduled_at)
    FROM deferred
)
SELECT id FROM deferred;
