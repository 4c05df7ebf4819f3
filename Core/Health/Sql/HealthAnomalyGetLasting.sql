-- HealthAnomalyGetLasting: the anomalies that have not ended, whichever monitor recorded them.
SELECT id, worker_id, metric, baseline
FROM health_anomalies
WHERE ended_at IS NULL;
