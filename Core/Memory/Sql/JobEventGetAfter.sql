-- JobEventGetAfter: the next events of job_events after id $1 (at most $2), stopping before the
-- first one that follows a gap in the ids, unless every id missing there is at or below $4 or the
-- event was stamped before $3. The indexer reads the log with it, and looks up only the attempts
-- it may remember (FinishedAttemptGet): a lookup for every finish in the page was three quarters
-- of the read's time.
--
-- Why stop at a gap: an id is taken when a row is inserted, not when its transaction commits, so
-- an event with a smaller id may become visible after one with a larger id was read. Ids are
-- taken one by one, so a run of consecutive ids from the cursor on holds every event up to its
-- end, and is read at once; a missing id is a transaction still running, or one that rolled
-- back. $4 is where the log is settled (JobEventLogMark.sql, JobEventLogSettling): a missing id
-- at or below it rolled back for good, and is passed at once. Above it, the events after a gap
-- are read once the first of them is older than $3 allows: by then a transaction still holding
-- the missing id is taken for rolled back (a finish still uncommitted that long after the next
-- event was stamped would be skipped: a known, bounded gap of memory, which is a sample of the
-- past, not a ledger). A gap left by retention, far in the past, is passed at once.
-- An event ends an attempt when it is out of 'running', or when it recorded the whole attempt
-- (a started_at: JobStartAndFinishIfQueued); each finishing statement writes it beside the
-- execution's outcome.
--   $1 after_id bigint    $2 limit integer    $3 gaps_before timestamptz    $4 settled_through bigint
-- Returns event id, job id, attempt, whether it ends an attempt, and to_status, in log order.
WITH next AS (
    SELECT id, job_id, from_status, to_status, attempt, at, started_at,
           lag(id, 1, $1) OVER (ORDER BY id) AS previous_id
    FROM (
        SELECT id, job_id, from_status, to_status, attempt, at, started_at
        FROM job_events
        WHERE id > $1
        ORDER BY id
        LIMIT $2
    ) page
)
SELECT id, job_id, attempt, from_status IS NOT DISTINCT FROM 'running' OR started_at IS NOT NULL, to_status
FROM next
WHERE id < coalesce((SELECT min(id) FROM next WHERE id <> previous_id + 1 AND id - 1 > $4 AND at >= $3), 9223372036854775807)
ORDER BY id;
