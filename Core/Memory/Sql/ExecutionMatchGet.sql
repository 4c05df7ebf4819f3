-- ExecutionMatchGet: what a search shows of each attempt it found: the job's type and status
-- now, its attempts so far, and the attempt's error. Attempts whose job was purged are left out.
--   $1 job_ids uuid[]    $2 attempts integer[]    (same length and order)
SELECT m.job_id, m.attempt, j.type, j.status, j.attempts, x.error
FROM unnest($1::uuid[], $2::integer[]) AS m(job_id, attempt)
JOIN jobs j ON j.id = m.job_id
JOIN job_executions x ON x.job_id = m.job_id AND x.attempt = m.attempt;
