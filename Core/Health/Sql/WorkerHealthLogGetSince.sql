-- WorkerHealthLogGetSince: a worker's health samples since a time, oldest first.
--   $1 worker_id uuid    $2 since timestamptz    $3 limit integer
SELECT at, health_score, error_rate, memory_bytes, heartbeat_deviation_ms, run_durations,
       score_slope_per_minute, failure_probability, time_to_failure_s, recommended_action
FROM (
    SELECT * FROM worker_health_logs
    WHERE worker_id = $1 AND at >= $2
    ORDER BY at DESC
    LIMIT $3
) recent
ORDER BY at;
