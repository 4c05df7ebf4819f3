-- The `record` job type's effect: one row per attempt, written at most once however often the
-- attempt's handler runs. $1 job id, $2 attempt, $3 worker id, $4 now.
INSERT INTO job_effects (job_id, attempt, worker_id, recorded_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (job_id, attempt) DO NOTHING;
