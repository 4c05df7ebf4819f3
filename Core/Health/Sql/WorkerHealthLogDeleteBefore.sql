-- WorkerHealthLogDeleteBefore: retention of health history and anomalies. An anomaly goes once
-- it ended before the cutoff: one still lasting stays, however old (deleted, it would be found
-- again and recorded as beginning). One that ended before the cutoff began before it, so the
-- index on detected_at narrows the search.
--   $1 cutoff timestamptz
WITH samples AS (
    DELETE FROM worker_health_logs WHERE at < $1
)
DELETE FROM health_anomalies WHERE detected_at < $1 AND ended_at < $1;
