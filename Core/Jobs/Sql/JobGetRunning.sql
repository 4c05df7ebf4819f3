-- JobGetRunning: which of these ids are running jobs. The reconciler keeps their Redis leases.
--   $1 ids uuid[]
WITH keyed AS MATERIALIZED (
    -- By key alone, and judged below (see JobGetStartable.sql).
    SELECT id, status FROM jobs WHERE id = ANY($1)
)
SELECT id FROM keyed WHERE status = 'running';
