-- WorkerGetLive: every live worker (active or draining), for the liveness and health sweeps.
SELECT id, name, host, process_id, version, job_types, concurrency, status, started_at,
       last_heartbeat_at, stopped_at, current_load, jobs_completed, jobs_failed, health_score, metrics,
       drained_by_monitor, exit_ordered_at IS NOT NULL AS exit_ordered
FROM workers
WHERE status IN ('active', 'draining');
