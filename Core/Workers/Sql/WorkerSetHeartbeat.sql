-- WorkerSetHeartbeat: a worker's periodic report: its load, counters and metrics. The answer
-- tells it how the fleet sees it: its status (draining or dead mean: stop taking jobs) and its
-- latest health score.
--   $1 id uuid    $2 current_load integer    $3 jobs_completed bigint    $4 jobs_failed bigint
--   $5 metrics jsonb
-- Returns status, health_score; no row for an unknown worker.
UPDATE workers
SET last_heartbeat_at = now(),
    current_load = $2,
    jobs_completed = $3,
    jobs_failed = $4,
    metrics = $5
WHERE id = $1
RETURNING status, health_score;
