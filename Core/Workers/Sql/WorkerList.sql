-- WorkerList: workers, live ones first, then the most recently started.
--   $1 limit integer
SELECT id, name, host, process_id, version, job_types, concurrency, status, started_at,
       last_heartbeat_at, stopped_at, current_load, jobs_completed, jobs_failed, health_score, metrics,
       drained_by_monitor, exit_ordered_at IS NOT NULL AS exit_ordered
FROM workers
ORDER BY (status IN ('active', 'draining')) DESC, started_at DESC
LIMIT $1;
