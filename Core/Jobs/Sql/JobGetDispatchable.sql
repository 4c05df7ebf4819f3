-- JobGetDispatchable: which of these ids are jobs that belong in a band (queued, not parked),
-- with the priority that decides their band. The reconciler drops every other id it finds in
-- Redis, and moves an entry found in the wrong band.
--   $1 ids uuid[]
-- Returns id, effective_priority.
WITH keyed AS MATERIALIZED (
    -- By key alone, and judged below: a condition on the status here lets the generic plan walk
    -- every queued entry of the status index instead (see JobGetStartable.sql).
    SELECT id, effective_priority, status, parked_at FROM jobs WHERE id = ANY($1)
)
SELECT id, effective_priority FROM keyed WHERE status = 'queued' AND parked_at IS NULL;
