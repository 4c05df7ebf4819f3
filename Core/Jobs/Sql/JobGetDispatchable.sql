-- JobGetDispatchable: which of these ids are jobs that belong in a band (queued, not parked),
-- with the priority that decides their band. The reconciler drops every other id it finds in
-- Redis, and moves an entry found in the wrong band.
--   $1 ids uuid[]
-- Returns id, effective_priority.
SELECT id, effective_priority FROM jobs
WHERE id = ANY($1) AND status = 'queued' AND parked_at IS NULL;
