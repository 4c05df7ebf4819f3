-- 0011 anomaly evidence: why each anomaly was raised. The baseline's median and robust spread
-- (median absolute deviation × 1.4826) beside its mean and standard deviation, how far above the
-- median the value was, the floor of practical significance it passed, and the other workers'
-- median at the time (null when the worker was alone). Anomalies found before this migration
-- were judged by mean and standard deviation with no floor: they read as such.
ALTER TABLE health_anomalies
    ADD COLUMN median       double precision,
    ADD COLUMN spread       double precision CHECK (spread >= 0),
    ADD COLUMN deviation    double precision,
    ADD COLUMN floor        double precision CHECK (floor >= 0),
    ADD COLUMN fleet_median double precision;
UPDATE health_anomalies SET median = mean, spread = stddev, deviation = value - mean, floor = 0;
ALTER TABLE health_anomalies
    ALTER COLUMN median SET NOT NULL,
    ALTER COLUMN spread SET NOT NULL,
    ALTER COLUMN deviation SET NOT NULL,
    ALTER COLUMN floor SET NOT NULL;

-- The share of a sample's window its worker spent paused for garbage collection, 0 to 1: a
-- watched metric, where gc_pause_ms depends on the window's length.
ALTER TABLE worker_health_logs ADD COLUMN gc_pause_share real CHECK (gc_pause_share BETWEEN 0 AND 1);
