-- JobGetStartable: what a worker needs to run the jobs Redis leased to it, read, not written:
-- each job still queued, not parked, and not started or recorded abandoned under this lease or a
-- newer one (its fence is older than the lease's token). The start itself is written later, with
-- the outcome or when the job outlives a short window (JobSetRunningIfQueued).
--   $1 ids uuid[]    $2 fences bigint[] (the lease's token of each)
-- Returns id, type, payload, attempts, failures, max_retries, timeout_ms, has_dependents,
-- scheduled_at (when it was due), trace_parent.
WITH keyed AS MATERIALIZED (
    -- By key alone (id = ANY as well as the join), and judged below: a condition on the status
    -- here lets the generic plan walk every queued entry of the status index instead.
    SELECT j.id, j.type, j.payload, j.attempts, j.failures, j.max_retries, j.timeout_ms, j.has_dependents,
           j.scheduled_at, j.trace_parent, j.status, j.parked_at, j.fence, l.fence AS lease_fence
    FROM unnest($1::uuid[], $2::bigint[]) AS l(id, fence)
    JOIN jobs j ON j.id = l.id
    WHERE j.id = ANY($1)
)
SELECT id, type, payload::text, attempts, failures, max_retries, timeout_ms, has_dependents, scheduled_at, trace_parent
FROM keyed
WHERE status = 'queued' AND parked_at IS NULL AND fence < lease_fence;
