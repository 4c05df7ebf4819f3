-- JobGetStartable: what a worker needs to run the jobs Redis leased to it, read, not written:
-- each job still queued, not parked, and not started or recorded abandoned under this lease or a
-- newer one (its fence is older than the lease's token). The start itself is written later, with
-- the outcome or when the job outlives a short window (JobSetRunningIfQueued).
--   $1 ids uuid[]    $2 fences bigint[] (the lease's token of each)
-- Returns id, type, payload, attempts, failures, max_retries, timeout_ms, has_dependents,
-- scheduled_at (when it was due), trace_parent.
SELECT j.id, j.type, j.payload::text, j.attempts, j.failures, j.max_retries, j.timeout_ms,
       j.has_dependents, j.scheduled_at, j.trace_parent
FROM unnest($1::uuid[], $2::bigint[]) AS l(id, fence)
JOIN jobs j ON j.id = l.id
-- id = ANY: one key per job. The rest is one condition, IS TRUE, which no index can serve: a
-- plain status test lets the generic plan walk every queued entry of the status index instead
-- (see JobStartAndFinishIfQueued.sql).
WHERE j.id = ANY($1) AND (j.status = 'queued' AND j.parked_at IS NULL AND j.fence < l.fence) IS TRUE;
