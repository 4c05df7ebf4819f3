-- JobGetDispatchableCreatedBefore: which of these ids are jobs that belong in a band (queued, not
-- parked) and were created before $2, with the priority that decides their band. A repeated
-- create pushes its job again only once its first push can no longer add a ticket (see
-- JobTicket.Lifetime), as the reconciler does.
--   $1 ids uuid[]    $2 created_before timestamptz
-- Returns id, effective_priority.
SELECT id, effective_priority FROM jobs
-- One key per job; the rest one condition no index can serve (see JobGetStartable.sql).
WHERE id = ANY($1) AND (status = 'queued' AND parked_at IS NULL AND created_at < $2) IS TRUE;
