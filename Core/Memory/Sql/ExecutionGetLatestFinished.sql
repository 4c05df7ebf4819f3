-- ExecutionGetLatestFinished: a job and its latest attempt that ran to an end (completed, failed
-- or timed out), the one memory compares with others. No row: no such job. A null attempt: the
-- job has not finished an attempt yet.
--   $1 job_id uuid
-- Returns the job's type, status and attempts; the attempt's number, status, error, start and finish.
SELECT j.type, j.status, j.attempts, x.attempt, x.status, x.error, x.started_at, x.finished_at
FROM jobs j
LEFT JOIN LATERAL (
    SELECT attempt, status, error, started_at, finished_at
    FROM job_executions
    WHERE job_id = j.id AND status IN ('completed', 'failed', 'timed_out')
    ORDER BY attempt DESC
    LIMIT 1
) x ON true
WHERE j.id = $1;
