-- JobCountFold: folds the ledgers that the triggers on jobs append to (job_count_changes,
-- job_activity_changes) into their totals (job_counts, job_activity), in one statement: a reader
-- sees every change either in the ledger or in the totals, never in both or neither. Rows are
-- upserted in key order, so two folds at once cannot deadlock.
-- Returns the number of ledger rows folded.
WITH counted AS (
    DELETE FROM job_count_changes RETURNING status, band, delta
), moved AS (
    DELETE FROM job_activity_changes RETURNING *
), totals AS (
    INSERT INTO job_counts AS c (status, band, jobs)
    SELECT status, band, sum(delta) FROM counted GROUP BY status, band ORDER BY status, band
    ON CONFLICT (status, band) DO UPDATE SET jobs = c.jobs + excluded.jobs
    RETURNING 1
), activity AS (
    INSERT INTO job_activity AS a (bucket, started, wait_ms, completed, retried, dead_lettered, cancelled)
    SELECT bucket, sum(started), sum(wait_ms), sum(completed), sum(retried), sum(dead_lettered), sum(cancelled)
    FROM moved GROUP BY bucket ORDER BY bucket
    ON CONFLICT (bucket) DO UPDATE SET
        started = a.started + excluded.started, wait_ms = a.wait_ms + excluded.wait_ms,
        completed = a.completed + excluded.completed, retried = a.retried + excluded.retried,
        dead_lettered = a.dead_lettered + excluded.dead_lettered, cancelled = a.cancelled + excluded.cancelled
    RETURNING 1
)
SELECT (SELECT count(*) FROM counted) + (SELECT count(*) FROM moved);
