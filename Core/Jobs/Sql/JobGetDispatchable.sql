-- JobGetDispatchable: which of these ids are jobs that belong in a band (queued, not parked),
-- with the priority that decides their band. The reconciler drops every other id it finds in
-- Redis, and moves an entry found in the wrong band.
--   $1 ids uuid[]
-- Returns id, effective_priority.
SELECT id, effective_priority FROM jobs
-- One key per job; the rest one condition no index can serve (see JobGetStartable.sql).
WHERE id = ANY($1) AND (status = 'queued' AND parked_at IS NULL) IS TRUE;
