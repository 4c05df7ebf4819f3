-- HealthAnomalySetEnded: anomalies that a later report of their worker no longer shows, or
-- whose worker is gone, end.
--   $1 ids bigint[]    $2 ended_at timestamptz
UPDATE health_anomalies
SET ended_at = $2
WHERE id = ANY ($1) AND ended_at IS NULL;
