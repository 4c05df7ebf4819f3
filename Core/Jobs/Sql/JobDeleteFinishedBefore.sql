-- JobDeleteFinishedBefore: retention. Deletes up to $2 finished jobs (completed, dead-lettered
-- or cancelled) that finished before $1, with their executions and dependency edges.
--   $1 cutoff timestamptz    $2 limit integer
-- Returns the number of jobs deleted (as the command's row count).
WITH doomed AS (
    SELECT id FROM jobs
    WHERE status IN ('completed', 'dead_lettered', 'cancelled') AND completed_at < $1
    ORDER BY completed_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
DELETE FROM jobs j
USING doomed d
WHERE j.id = d.id;
