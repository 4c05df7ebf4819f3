-- 0006 job effects: what the built-in `record` job type writes, one row per attempt that ran its
-- handler, so a checker can prove after any fault that every acknowledged job ran, and that of
-- the attempts that ran, exactly one finished it (the fenced finish). Not used by other types.
CREATE TABLE job_effects (
    job_id      uuid        NOT NULL,
    attempt     integer     NOT NULL,
    worker_id   uuid        NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (job_id, attempt)
);
