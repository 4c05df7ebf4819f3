-- 0007 snapshots: the non-terminal jobs, their dependency edges and the fleet at one moment, kept
-- compact (compressed chunks of a versioned record format, written as they are read), and the
-- horizon of the transition log that point-in-time recovery can reach.
--
-- 0001's state_snapshot_jobs held one jsonb row per job: a snapshot of 100,000 jobs was 100,000
-- rows and their index entries. Nothing wrote it; it gives way to chunks.
DROP TABLE state_snapshot_jobs;
DROP TABLE state_snapshots;

CREATE TABLE state_snapshots (
    id            uuid PRIMARY KEY,                  -- UUIDv7: newest last
    kind          text NOT NULL CHECK (kind IN ('full', 'incremental')),
    reason        text NOT NULL CHECK (reason IN ('manual', 'automatic', 'before_restore')),
    label         text CHECK (length(label) BETWEEN 1 AND 200),
    -- An incremental snapshot holds what changed since the one it builds on; deleting that one
    -- deletes the chain after it.
    base_id       uuid REFERENCES state_snapshots (id) ON DELETE CASCADE,
    format        smallint NOT NULL,                 -- the record format of its chunks
    taken_at      timestamptz NOT NULL,              -- the database's clock when it was read
    -- Every event up to here is reflected; an incremental one after it reads the events since.
    last_event_id bigint NOT NULL,
    job_count     integer NOT NULL CHECK (job_count >= 0),    -- records: jobs, or changes for an incremental one
    edge_count    integer NOT NULL CHECK (edge_count >= 0),
    size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),    -- compressed
    counts        jsonb NOT NULL,                    -- records per status
    fleet         jsonb NOT NULL,                    -- the workers at the time
    CHECK ((kind = 'incremental') = (base_id IS NOT NULL))
);
-- Retention and "the latest snapshot" walk them by time.
CREATE INDEX state_snapshots_taken_at_idx ON state_snapshots (taken_at);
CREATE INDEX state_snapshots_base_id_idx ON state_snapshots (base_id);

-- A snapshot's records, in chunks of a few thousand, each compressed on its own: written while
-- the jobs are read and read back one at a time, so neither side holds a whole snapshot.
CREATE TABLE state_snapshot_chunks (
    -- Deferred: a snapshot's chunks are written as its jobs are read, and its row, with the
    -- totals, last, in the same transaction.
    snapshot_id uuid NOT NULL REFERENCES state_snapshots (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    seq         integer NOT NULL CHECK (seq >= 0),
    records     integer NOT NULL CHECK (records > 0),
    data        bytea NOT NULL,
    PRIMARY KEY (snapshot_id, seq)
);
-- Compressed already: no second compression by TOAST.
ALTER TABLE state_snapshot_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- How far back the transition log is complete: retention moves it when it deletes events.
-- Point-in-time recovery to a time before it would replay a partial history, so it refuses.
CREATE TABLE job_event_horizon (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    kept_since timestamptz NOT NULL
);
INSERT INTO job_event_horizon (kept_since) VALUES ('-infinity');
