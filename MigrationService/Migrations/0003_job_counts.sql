-- 0003 job counts: how many jobs are in each state, and what moved in the last minutes, without
-- scanning jobs. Every statement that writes jobs appends what it changed to a ledger (statement
-- triggers over its transition tables): appends take no lock, so no counter row becomes the one
-- row every transition waits for. The health monitor's leader folds the ledger into the totals
-- every second; readers add the few changes not folded yet, so counts are exact at once.

-- When its latest attempt ended, whatever the outcome (a retry leaves no other trace on the row).
ALTER TABLE jobs ADD COLUMN attempt_finished_at timestamptz;

-- The band a job is dispatched in, from its effective priority (as PriorityBands.Of).
CREATE FUNCTION job_band(effective_priority smallint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN effective_priority >= 4 THEN 'high' WHEN effective_priority >= 2 THEN 'medium' ELSE 'low' END;

-- Folded totals: one row per state and band.
CREATE TABLE job_counts (
    status text NOT NULL,
    band   text NOT NULL,
    jobs   bigint NOT NULL,
    PRIMARY KEY (status, band)
);

-- Changes not folded yet, one row per state and band a statement changed. No index: only
-- appended, and read and emptied whole.
CREATE TABLE job_count_changes (
    status text NOT NULL,
    band   text NOT NULL,
    delta  bigint NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000);

-- What moved, per 10 seconds of the jobs' own times (started_at, attempt_finished_at, and
-- completed_at for a job cancelled before it ran), never the database's clock: attempts
-- started and how long they had waited since due, and attempts finished by outcome.
CREATE TABLE job_activity (
    bucket        timestamptz PRIMARY KEY,
    started       bigint NOT NULL DEFAULT 0,
    wait_ms       bigint NOT NULL DEFAULT 0,   -- sum over started of started_at - scheduled_at
    completed     bigint NOT NULL DEFAULT 0,
    retried       bigint NOT NULL DEFAULT 0,   -- failed or timed out, retries left
    dead_lettered bigint NOT NULL DEFAULT 0,
    cancelled     bigint NOT NULL DEFAULT 0
);

CREATE TABLE job_activity_changes (LIKE job_activity)
    WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
          autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000);

CREATE FUNCTION job_activity_bucket(at timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN date_bin('10 seconds', at, timestamptz '2000-01-01 00:00:00+00');

CREATE FUNCTION job_counts_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_count_changes (status, band, delta)
    SELECT status, job_band(effective_priority), count(*) FROM new_jobs GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION job_counts_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_count_changes (status, band, delta)
    SELECT status, job_band(effective_priority), -count(*) FROM old_jobs GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION job_counts_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_count_changes (status, band, delta)
    SELECT status, band, sum(delta)
    FROM (SELECT status, job_band(effective_priority) AS band, -1 AS delta FROM old_jobs
          UNION ALL
          SELECT status, job_band(effective_priority), 1 FROM new_jobs) AS moved
    GROUP BY status, band
    HAVING sum(delta) <> 0;

    -- A job that moved into running started an attempt; one that moved out of it, or was
    -- cancelled before it ran, finished one.
    INSERT INTO job_activity_changes (bucket, started, wait_ms, completed, retried, dead_lettered, cancelled)
    SELECT job_activity_bucket(CASE WHEN n.status = 'running' THEN n.started_at
                                    WHEN o.status = 'running' THEN n.attempt_finished_at
                                    ELSE n.completed_at END),
           count(*) FILTER (WHERE n.status = 'running'),
           coalesce(sum(greatest(0, (extract(epoch FROM n.started_at - n.scheduled_at) * 1000)::bigint))
                    FILTER (WHERE n.status = 'running'), 0),
           count(*) FILTER (WHERE n.status = 'completed'),
           count(*) FILTER (WHERE o.status = 'running' AND n.status = 'scheduled'),
           count(*) FILTER (WHERE n.status = 'dead_lettered'),
           count(*) FILTER (WHERE n.status = 'cancelled')
    FROM new_jobs n JOIN old_jobs o ON o.id = n.id
    WHERE n.status <> o.status
      AND (n.status IN ('running', 'completed', 'dead_lettered', 'cancelled')
           OR (o.status = 'running' AND n.status = 'scheduled'))
    GROUP BY 1;
    RETURN NULL;
END $$;

-- A truncated jobs table has no jobs left in any state.
CREATE FUNCTION job_counts_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_count_changes;
    DELETE FROM job_counts;
    RETURN NULL;
END $$;

CREATE TRIGGER job_counts_on_insert AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION job_counts_on_insert();
CREATE TRIGGER job_counts_on_delete AFTER DELETE ON jobs
    REFERENCING OLD TABLE AS old_jobs FOR EACH STATEMENT EXECUTE FUNCTION job_counts_on_delete();
CREATE TRIGGER job_counts_on_update AFTER UPDATE ON jobs
    REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION job_counts_on_update();
CREATE TRIGGER job_counts_on_truncate AFTER TRUNCATE ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_counts_on_truncate();

-- The jobs already there. The triggers were created first, in this transaction, which holds a
-- lock on jobs that keeps writers out until it commits.
INSERT INTO job_counts (status, band, jobs)
SELECT status, job_band(effective_priority), count(*) FROM jobs GROUP BY 1, 2;
