-- WorkerInsert: registers a worker process as active. A second run for the same id (a try
-- repeated after its answer was lost) changes nothing, even when the health monitor declared
-- the first row dead meanwhile: the worker then reads that at its first report and starts afresh.
--   $1 id uuid    $2 name text    $3 host text    $4 process_id integer    $5 version text
--   $6 job_types text[]    $7 concurrency integer    $8 now timestamptz
INSERT INTO workers (id, name, host, process_id, version, job_types, concurrency, started_at, last_heartbeat_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
ON CONFLICT (id) DO NOTHING;
