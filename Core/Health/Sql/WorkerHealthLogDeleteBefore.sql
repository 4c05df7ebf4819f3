-- WorkerHealthLogDeleteBefore: retention of health history and anomalies.
--   $1 cutoff timestamptz
WITH samples AS (
    DELETE FROM worker_health_logs WHERE at < $1
)
DELETE FROM health_anomalies WHERE detected_at < $1;
