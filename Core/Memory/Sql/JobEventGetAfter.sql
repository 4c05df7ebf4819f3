-- JobEventGetAfter: the next events of job_events after id $1 (at most $2), stopping before the
-- first one stamped at or after $3. The indexer reads the log with it, and looks up only the
-- attempts it may remember (FinishedAttemptGet): a lookup for every finish in the page was
-- three quarters of the read's time.
--
-- Why stop before the newest events: an id is taken when a row is inserted, not when its
-- transaction commits, so a finish with a smaller id may become visible after one with a larger
-- id was read. Reading only events stamped a few seconds ago or earlier leaves those
-- transactions time to commit; a finish still uncommitted that long after it was stamped would
-- be skipped (a known, bounded gap of memory: it is a sample of the past, not a ledger).
-- An event ends an attempt when it is out of 'running', or when it recorded the whole attempt
-- (a started_at: JobStartAndFinishIfQueued); each finishing statement writes it beside the
-- execution's outcome.
--   $1 after_id bigint    $2 limit integer    $3 before timestamptz
-- Returns event id, job id, attempt, whether it ends an attempt, and to_status, in log order.
WITH next AS (
    SELECT id, job_id, from_status, to_status, attempt, at, started_at
    FROM job_events
    WHERE id > $1
    ORDER BY id
    LIMIT $2
)
SELECT id, job_id, attempt, from_status IS NOT DISTINCT FROM 'running' OR started_at IS NOT NULL, to_status
FROM next
WHERE id < coalesce((SELECT min(id) FROM next WHERE at >= $3), 9223372036854775807)
ORDER BY id;
