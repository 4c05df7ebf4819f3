-- WorkerHealthLogGetSince: each of some workers' health samples since a time, at most the newest
-- $3 of each, by worker, oldest first (one read for a whole fleet's history).
--   $1 worker_ids uuid[]    $2 since timestamptz    $3 limit integer (per worker)
SELECT w.id, r.at, r.health_score, r.error_rate, r.memory_bytes, r.heartbeat_deviation_ms, r.run_durations,
       r.score_slope_per_minute, r.failure_probability, r.time_to_failure_s, r.recommended_action, r.gc_pause_share, r.cpu_wait_share,
       r.prediction_reason, r.report_at
FROM unnest($1::uuid[]) AS w(id)
CROSS JOIN LATERAL (
    SELECT * FROM worker_health_logs
    WHERE worker_id = w.id AND at >= $2
    ORDER BY at DESC
    LIMIT $3
) r
ORDER BY w.id, r.at;
