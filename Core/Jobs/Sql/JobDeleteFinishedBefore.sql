-- JobDeleteFinishedBefore: retention. Deletes up to $2 finished jobs (completed, dead-lettered
-- or cancelled) that finished before $1, with their executions and dependency edges. It walks
-- the primary key from the oldest id up to $3, the first UUIDv7 of the cut-off's millisecond:
-- a job that finished before the cut-off was created before it.
--   $1 cutoff timestamptz    $2 limit integer    $3 first_id_at_cutoff uuid
-- Returns the number of jobs deleted (as the command's row count).
WITH doomed AS (
    SELECT id FROM jobs
    WHERE id < $3 AND status IN ('completed', 'dead_lettered', 'cancelled') AND completed_at < $1
    ORDER BY id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
DELETE FROM jobs j
USING doomed d
WHERE j.id = d.id;
