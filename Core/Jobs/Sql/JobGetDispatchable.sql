-- JobGetDispatchable: which of these ids are jobs that belong in a band (queued, not parked),
-- with the priority that decides their band. The reconciler drops every other id it finds in
-- Redis, and moves an entry found in the wrong band. A repeated create pushes its job again only
-- if it was created before $2 (null: any time), once its first push can no longer add a ticket
-- (see JobTicket.Lifetime).
--   $1 ids uuid[]    $2 created_before timestamptz, or null
-- Returns id, effective_priority.
SELECT id, effective_priority FROM jobs
-- One key per job; the rest one condition no index can serve (see JobGetStartable.sql).
WHERE id = ANY($1) AND (status = 'queued' AND parked_at IS NULL AND created_at < coalesce($2, 'infinity')) IS TRUE;
