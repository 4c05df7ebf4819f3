-- 0008 execution memory: the vectors of finished attempts, and the indexer's place in the log.
--
-- execution_vectors has existed since 0001 but nothing ever wrote it, so it is recreated in its
-- final shape rather than altered: the outcome a search filters on, and a sequence number by
-- which a process that holds the vectors in memory (the PostgreSQL vector store) loads only the
-- rows added since its last look.
DROP TABLE execution_vectors;

CREATE TABLE execution_vectors (
    job_id     uuid NOT NULL,
    attempt    integer NOT NULL,
    job_type   text NOT NULL,
    outcome    text NOT NULL CHECK (outcome IN ('completed', 'failed', 'timed_out', 'dead_lettered')),
    embedding  real[] NOT NULL CHECK (cardinality(embedding) > 0),   -- unit length
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, attempt),
    -- Retention deletes jobs, their executions, and with them their vectors.
    FOREIGN KEY (job_id, attempt) REFERENCES job_executions (job_id, attempt) ON DELETE CASCADE
);
-- The rows added since a reader's last look, in the order they were added.
CREATE UNIQUE INDEX execution_vectors_seq_idx ON execution_vectors (seq);

-- How far each reader of job_events has got (one row: the indexer), so a restart resumes there.
CREATE TABLE job_event_cursors (
    name          text PRIMARY KEY,
    last_event_id bigint NOT NULL CHECK (last_event_id >= 0),
    updated_at    timestamptz NOT NULL
);
