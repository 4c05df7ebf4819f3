-- JobGetUnrecordedLeased: of jobs whose Redis lease a rescuer found abandoned (expired, or held
-- by a worker declared dead), those the lease may have started without PostgreSQL knowing: still
-- queued, with a fence older than the lease's token. A rescuer records each one's attempt
-- abandoned under that token (JobSetRunningIfQueued, then JobFinishIfRunning, in one
-- transaction), so the lease's worker, if only paused, can no longer record it.
--   $1 ids uuid[]    $2 fences bigint[] (the lease's token of each)
-- Returns id, crashes, attempts.
WITH keyed AS MATERIALIZED (
    -- By key alone, and judged below: a condition on the status here lets the generic plan walk
    -- every queued entry of the status index instead (see JobGetStartable.sql).
    SELECT j.id, j.crashes, j.attempts, j.status, j.fence, l.fence AS lease_fence
    FROM unnest($1::uuid[], $2::bigint[]) AS l(id, fence)
    JOIN jobs j ON j.id = l.id
    WHERE j.id = ANY($1)
)
SELECT id, crashes, attempts FROM keyed WHERE status = 'queued' AND fence < lease_fence;
