-- 0018 What lets a health monitor that takes over (a new leader, or one restarted) go on where
-- the last left off, rather than start from its own empty memory: the worker report each sample
-- was taken from, so a report already sampled is not sampled again; and when an anomaly ended,
-- so one still lasting is not recorded again as beginning. Null: the sample was taken before
-- this migration; the anomaly lasts (or began before it, and is taken as lasting once).
ALTER TABLE worker_health_logs ADD COLUMN report_at timestamptz;
ALTER TABLE health_anomalies ADD COLUMN ended_at timestamptz;
-- The anomalies still lasting, read at every sweep.
CREATE INDEX health_anomalies_lasting_idx ON health_anomalies (worker_id) WHERE ended_at IS NULL;
