-- HealthAnomalyList: anomalies, newest first, optionally of one worker. Keyset pagination by id.
--   $1 worker_id uuid (null: every worker)    $2 before_id bigint (null: from the newest)    $3 limit integer
SELECT a.id, a.worker_id, w.name, a.metric, a.baseline, a.value, a.mean, a.stddev, a.z_score, a.detected_at,
       a.median, a.spread, a.deviation, a.floor, a.fleet_median, a.ended_at
FROM health_anomalies a
JOIN workers w ON w.id = a.worker_id
WHERE ($1::uuid IS NULL OR a.worker_id = $1)
  AND ($2::bigint IS NULL OR a.id < $2)
ORDER BY a.id DESC
LIMIT $3;
