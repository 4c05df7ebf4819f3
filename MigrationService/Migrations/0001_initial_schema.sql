-- 0001 initial schema: everything AspireJobs keeps.
--
-- PostgreSQL is the system of record; Redis only indexes which jobs are ready to dispatch.
-- Every time is timestamptz. Status columns are text with CHECK constraints that spell the same
-- states as the C# enums (Core/Jobs/JobStatus.cs, ExecutionStatus.cs) and schema.md.
--
-- Worker ids in jobs, executions and events are deliberately not foreign keys: a worker row may
-- be purged while the history that names it is kept, and the hottest UPDATE in the system (a job
-- starting) should not pay for a foreign-key probe.

-- One row per worker process that ever registered.
CREATE TABLE workers (
    id                uuid PRIMARY KEY,
    name              text NOT NULL,
    host              text NOT NULL,
    process_id        integer NOT NULL,
    version           text NOT NULL,
    job_types         text[] NOT NULL DEFAULT '{}',
    concurrency       integer NOT NULL CHECK (concurrency > 0),
    status            text NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'draining', 'dead', 'stopped')),
    started_at        timestamptz NOT NULL DEFAULT now(),
    last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stopped_at        timestamptz,
    current_load      integer NOT NULL DEFAULT 0 CHECK (current_load >= 0),
    jobs_completed    bigint NOT NULL DEFAULT 0 CHECK (jobs_completed >= 0),
    jobs_failed       bigint NOT NULL DEFAULT 0 CHECK (jobs_failed >= 0),
    health_score      real CHECK (health_score BETWEEN 0 AND 1),
    metrics           jsonb NOT NULL DEFAULT '{}',   -- the latest load, duration and resource figures
    CHECK ((status IN ('dead', 'stopped')) = (stopped_at IS NOT NULL))
);

-- One row per job. Dead letters are jobs in status 'dead_lettered' (see the dead_letters view).
CREATE TABLE jobs (
    id                  uuid PRIMARY KEY,            -- UUIDv7, so ids sort by creation time
    type                text NOT NULL CHECK (type ~ '^[A-Za-z0-9._:-]{1,200}$'),
    status              text NOT NULL CHECK (status IN (
                            'waiting', 'scheduled', 'queued', 'running',
                            'completed', 'dead_lettered', 'cancelled')),
    priority            smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
    -- The priority it is dispatched at: its own, raised by priority inheritance from dependents.
    effective_priority  smallint NOT NULL CHECK (effective_priority BETWEEN priority AND 5),
    -- json, not jsonb: a payload or result is stored and returned exactly as the client or the
    -- handler wrote it, and nothing queries inside it.
    payload             json NOT NULL DEFAULT '{}',
    result              json,
    error               text,
    attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),   -- attempts started
    failures            integer NOT NULL DEFAULT 0 CHECK (failures BETWEEN 0 AND attempts),
    crashes             integer NOT NULL DEFAULT 0 CHECK (crashes BETWEEN 0 AND attempts),  -- attempts whose worker died
    max_retries         integer NOT NULL CHECK (max_retries BETWEEN 0 AND 25),
    timeout_ms          integer NOT NULL CHECK (timeout_ms BETWEEN 1 AND 86400000),
    idempotency_key     text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    worker_id           uuid,                        -- the worker of the latest attempt
    -- Fencing: a new token per attempt; every finishing write names it, so a worker that lost
    -- its lease cannot overwrite the outcome of the one that took over.
    lease_token         uuid,
    lease_expires_at    timestamptz,                 -- timeout plus grace: rescued after this
    cancel_requested_at timestamptz,
    -- Set while no live worker handles the job's type: the job stays queued, visibly, but in no
    -- band, until a worker that handles the type registers.
    parked_at           timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    scheduled_at        timestamptz NOT NULL DEFAULT now(),   -- when it is, or was, due
    started_at          timestamptz,                 -- start of the latest attempt
    completed_at        timestamptz,                 -- when it reached completed, dead_lettered or cancelled
    CHECK ((status = 'running') = (lease_token IS NOT NULL)),
    CHECK ((status = 'running') = (lease_expires_at IS NOT NULL)),
    CHECK ((status IN ('completed', 'dead_lettered', 'cancelled')) = (completed_at IS NOT NULL)),
    CHECK (parked_at IS NULL OR status = 'queued')
)
-- A queue table turns over fast: each job leaves two dead row versions behind. Vacuum it after a
-- few percent of churn, not the default fifth of the table, so its indexes stay small.
WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02,
      autovacuum_analyze_scale_factor = 0.02);

-- A repeated create returns the job that holds its key. Partial: most jobs have no key, and
-- every new version of a row would otherwise add an index entry for its NULL.
CREATE UNIQUE INDEX jobs_idempotency_key_idx ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Pages of jobs by status (the list API, dead letters, the reconciler's scan of queued jobs),
-- newest or oldest first by id.
CREATE INDEX jobs_status_id_idx ON jobs (status, id);
-- No index on type, nor on completed_at: every index here gains an entry with each of a job's
-- three versions (queued, running, finished), and write throughput is what the system is for.
-- A page by type walks the primary key newest first and filters; retention walks it oldest first
-- (ids are UUIDv7: a job that finished before a time was created before it).
-- The promoter: scheduled jobs (runAt, retry backoff) that have come due.
CREATE INDEX jobs_due_idx ON jobs (scheduled_at) WHERE status = 'scheduled';

-- The dependency DAG: job_id runs after depends_on_id completes. A job may only depend on jobs
-- that already exist, so the graph cannot have a cycle.
CREATE TABLE job_dependencies (
    job_id        uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    depends_on_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, depends_on_id),
    CHECK (job_id <> depends_on_id)
);
-- A finished job's dependents, to release them; also the foreign key's cascade.
CREATE INDEX job_dependencies_depends_on_id_idx ON job_dependencies (depends_on_id);

-- One row per attempt.
CREATE TABLE job_executions (
    job_id      uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt     integer NOT NULL CHECK (attempt > 0),
    worker_id   uuid NOT NULL,
    status      text NOT NULL CHECK (status IN (
                    'running', 'completed', 'failed', 'timed_out', 'cancelled', 'abandoned')),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,                         -- same clock as started_at: the database's
    error       text,
    PRIMARY KEY (job_id, attempt),
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK (finished_at >= started_at)
)
WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);

-- Append-only log of every transition: a job's history, and with a snapshot the basis of
-- point-in-time recovery. No foreign key: restoring a snapshot replaces jobs, the log stays.
CREATE TABLE job_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id      uuid NOT NULL,
    from_status text CHECK (from_status IN (
                    'waiting', 'scheduled', 'queued', 'running',
                    'completed', 'dead_lettered', 'cancelled')),   -- null when the job was created
    to_status   text NOT NULL CHECK (to_status IN (
                    'waiting', 'scheduled', 'queued', 'running',
                    'completed', 'dead_lettered', 'cancelled')),
    attempt     integer,
    worker_id   uuid,
    at          timestamptz NOT NULL DEFAULT now(),
    detail      jsonb                                -- what else changed: error, due time, ...
);
-- A job's history.
CREATE INDEX job_events_job_id_idx ON job_events (job_id);
-- Replay and retention by time; the log is appended in time order, which BRIN suits.
CREATE INDEX job_events_at_idx ON job_events USING brin (at);

-- Dead letters are jobs whose last allowed attempt failed. A status plus a view, not a second
-- table: the job keeps its id (GET /api/jobs/{id} still answers), requeueing is one guarded
-- status change instead of a move between tables, and the attempt history in job_executions
-- needs no copy.
CREATE VIEW dead_letters AS
SELECT id, type, priority, payload, error, attempts, failures, max_retries,
       created_at, completed_at AS dead_lettered_at
FROM jobs
WHERE status = 'dead_lettered';

-- A worker's health over time: the input of scoring, anomaly detection and failure prediction.
CREATE TABLE worker_health_logs (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id             uuid NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    at                    timestamptz NOT NULL DEFAULT now(),
    health_score          real NOT NULL CHECK (health_score BETWEEN 0 AND 1),
    success_rate          real CHECK (success_rate BETWEEN 0 AND 1),
    duration_ratio        real CHECK (duration_ratio >= 0),   -- mean run time over the fleet's
    heartbeat_deviation_ms real CHECK (heartbeat_deviation_ms >= 0),
    current_load          integer NOT NULL CHECK (current_load >= 0),
    jobs_completed        bigint NOT NULL CHECK (jobs_completed >= 0),
    jobs_failed           bigint NOT NULL CHECK (jobs_failed >= 0),
    memory_bytes          bigint CHECK (memory_bytes >= 0),
    cpu_percent           real CHECK (cpu_percent >= 0),
    gc_pause_ms           real CHECK (gc_pause_ms >= 0),
    error_rate            real CHECK (error_rate BETWEEN 0 AND 1),
    run_durations         jsonb NOT NULL DEFAULT '{}', -- mean run time in ms per job type, this window
    -- The failure prediction made with this sample (the trend of the score up to it).
    score_slope_per_minute real,
    failure_probability   real NOT NULL DEFAULT 0 CHECK (failure_probability BETWEEN 0 AND 1),
    time_to_failure_s     real CHECK (time_to_failure_s >= 0),
    recommended_action    text NOT NULL DEFAULT 'none' CHECK (recommended_action IN ('none', 'watch', 'drain', 'replace'))
);
-- A worker's recent history, in time order; also the foreign key's cascade.
CREATE INDEX worker_health_logs_worker_id_at_idx ON worker_health_logs (worker_id, at);

-- Anomalies the health monitor found: a metric that strayed from its baseline by a z-score.
CREATE TABLE health_anomalies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id   uuid NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    metric      text NOT NULL,
    baseline    text NOT NULL CHECK (baseline IN ('self', 'fleet')),
    value       double precision NOT NULL,
    mean        double precision NOT NULL,
    stddev      double precision NOT NULL CHECK (stddev >= 0),
    z_score     double precision NOT NULL,
    detected_at timestamptz NOT NULL DEFAULT now()
);
-- The newest anomalies first.
CREATE INDEX health_anomalies_detected_at_idx ON health_anomalies (detected_at);
-- The foreign key's cascade when a worker is purged.
CREATE INDEX health_anomalies_worker_id_idx ON health_anomalies (worker_id);

-- A consistent copy of every job at one moment, and the position in job_events it reflects.
CREATE TABLE state_snapshots (
    id            uuid PRIMARY KEY,
    created_at    timestamptz NOT NULL DEFAULT now(),
    reason        text NOT NULL CHECK (reason IN ('manual', 'automatic', 'before_restore')),
    last_event_id bigint NOT NULL,
    job_count     integer NOT NULL CHECK (job_count >= 0)
);

CREATE TABLE state_snapshot_jobs (
    snapshot_id uuid NOT NULL REFERENCES state_snapshots (id) ON DELETE CASCADE,
    job_id      uuid NOT NULL,
    job         jsonb NOT NULL,                      -- the jobs row, with its dependencies
    PRIMARY KEY (snapshot_id, job_id)
);

-- Execution memory: one vector per finished attempt, for similarity search when no dedicated
-- vector store is configured.
CREATE TABLE execution_vectors (
    job_id     uuid NOT NULL,
    attempt    integer NOT NULL,
    job_type   text NOT NULL,
    embedding  real[] NOT NULL CHECK (cardinality(embedding) > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, attempt),
    FOREIGN KEY (job_id, attempt) REFERENCES job_executions (job_id, attempt) ON DELETE CASCADE
);
-- Similar executions are looked for among jobs of the same type.
CREATE INDEX execution_vectors_job_type_idx ON execution_vectors (job_type);
