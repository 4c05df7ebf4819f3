-- JobExecutionList: every attempt of a job, in order, with its duration by the database's clock.
-- One row with a null attempt when the job exists but never started; no row when it does not exist.
--   $1 job_id uuid
SELECT e.attempt, e.worker_id, e.status, e.started_at, e.finished_at,
       (extract(epoch FROM e.finished_at - e.started_at) * 1000)::bigint AS duration_ms,
       e.error
FROM jobs j
LEFT JOIN job_executions e ON e.job_id = j.id
WHERE j.id = $1
ORDER BY e.attempt;
