-- WorkerHealthLogInsert: one health sample of a worker, and its score on the worker's row.
--   $1 worker_id uuid    $2 health_score real    $3 success_rate real    $4 duration_ratio real
--   $5 heartbeat_deviation_ms real    $6 current_load integer    $7 jobs_completed bigint
--   $8 jobs_failed bigint    $9 memory_bytes bigint    $10 cpu_percent real    $11 gc_pause_ms real
--   $12 error_rate real    $13 run_durations jsonb    $14 score_slope_per_minute real
--   $15 failure_probability real    $16 time_to_failure_s real    $17 recommended_action text
--   $18 gc_pause_share real    $19 cpu_wait_share real    $20 prediction_reason text
--   $21 report_at timestamptz (the worker's report the sample was taken from)
WITH sample AS (
    INSERT INTO worker_health_logs (worker_id, health_score, success_rate, duration_ratio,
        heartbeat_deviation_ms, current_load, jobs_completed, jobs_failed, memory_bytes, cpu_percent,
        gc_pause_ms, error_rate, run_durations, score_slope_per_minute, failure_probability,
        time_to_failure_s, recommended_action, gc_pause_share, cpu_wait_share, prediction_reason, report_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
    RETURNING worker_id, health_score
)
UPDATE workers w SET health_score = s.health_score FROM sample s WHERE w.id = s.worker_id;
