-- 0014 One event for an attempt recorded whole.
-- A short attempt's start and outcome are written in one statement (JobStartAndFinishIfQueued),
-- which logged two events: queued to running, then running to the outcome. It now logs one,
-- queued to the outcome, with the attempt's start in started_at. The second row, with its index
-- entries, was about a twelfth of the finishing statement's work and a sixth of its WAL (pgbench,
-- batches of 32: 65-71 µs of PostgreSQL's CPU and 1,633 bytes of WAL a job with two events,
-- 60-61 µs and 1,359 bytes with one).
-- started_at is null on every other event, and on every event logged before this migration. A
-- nullable column without a default changes only the catalog: no row is rewritten.
ALTER TABLE job_events ADD COLUMN started_at timestamptz;
