-- WorkerSetHeartbeat: a worker's periodic report: its load, counters and metrics. The answer
-- tells it how the fleet sees it: its status (draining or dead mean: stop taking jobs), whether
-- the health monitor told it to exit, its latest health score, and which of the jobs it runs a client asked to cancel (the pub/sub
-- message is the fast path; this catches one that was lost), and the strays: jobs running in
-- PostgreSQL under this worker, started more than $8 ago, that it does not hold (a start that
-- committed but whose answer never reached it), with their lease tokens so it can hand them back
-- and their fences, the Redis leases they started under, so it can end those.
--   $1 id uuid    $2 current_load integer    $3 jobs_completed bigint    $4 jobs_failed bigint
--   $5 metrics jsonb    $6 ids of the jobs it runs or is starting uuid[]    $7 now timestamptz
--   $8 how long a start may take to reach the worker interval
-- Returns status, health_score, cancel_requested uuid[], stray_ids uuid[], stray_lease_tokens
-- uuid[], stray_fences bigint[] (the three in the same order), exit_ordered boolean; no row for
-- an unknown worker.
WITH reported AS (
    UPDATE workers
    SET last_heartbeat_at = $7::timestamptz,
        current_load = $2,
        jobs_completed = $3,
        jobs_failed = $4,
        metrics = $5
    WHERE id = $1
    RETURNING status, health_score, exit_ordered_at
),
strays AS (
    SELECT id, lease_token, fence FROM jobs
    WHERE status = 'running' AND worker_id = $1 AND started_at < $7::timestamptz - $8::interval AND NOT (id = ANY($6))
)
SELECT status, health_score,
       ARRAY(SELECT id FROM jobs WHERE id = ANY($6) AND worker_id = $1 AND cancel_requested_at IS NOT NULL) AS cancel_requested,
       ARRAY(SELECT id FROM strays ORDER BY id) AS stray_ids,
       ARRAY(SELECT lease_token FROM strays ORDER BY id) AS stray_lease_tokens,
       ARRAY(SELECT fence FROM strays ORDER BY id) AS stray_fences,
       exit_ordered_at IS NOT NULL AS exit_ordered
FROM reported;
