-- JobSetCancelledIfPending: a client cancels a job that has not started (waiting, scheduled
-- or queued). It is final at once; the caller takes it out of its Redis band.
--   $1 id uuid    $2 now timestamptz
-- Returns the status it had and its type; no row when it was not pending.
WITH target AS (
    SELECT id, status FROM jobs
    WHERE id = $1 AND status IN ('waiting', 'scheduled', 'queued')
    FOR UPDATE
), cancelled AS (
    UPDATE jobs j
    SET status = 'cancelled',
        parked_at = NULL,
        cancel_requested_at = $2::timestamptz,
        completed_at = $2::timestamptz
    FROM target t
    WHERE j.id = t.id
    RETURNING j.id, t.status AS from_status, j.type, j.attempts, j.completed_at
), event AS (
    INSERT INTO job_events (job_id, from_status, to_status, attempt, at)
    SELECT id, from_status, 'cancelled', attempts, completed_at FROM cancelled
)
SELECT from_status, type FROM cancelled;
