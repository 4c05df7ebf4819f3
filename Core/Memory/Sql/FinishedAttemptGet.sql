-- FinishedAttemptGet: attempts by key, with their outcome and their job's type; an attempt whose
-- job is gone is not returned. Each is looked up by key: a plain join (or a LATERAL subquery the
-- planner flattens into one) let the generic plan hash all of job_executions or jobs, a scan of the
-- whole history per call. LIMIT 1 (one row by key anyway) keeps the subquery per attempt.
--   $1 job_ids uuid[]    $2 attempts integer[]   (arrays of the same length, in the same order)
-- Returns job id, attempt, the execution's status, error, start and finish, and the job's type.
SELECT k.job_id, k.attempt, f.status, f.error, f.started_at, f.finished_at, f.type
FROM unnest($1::uuid[], $2::integer[]) AS k(job_id, attempt)
JOIN LATERAL (
    SELECT x.status, x.error, x.started_at, x.finished_at, j.type
    FROM job_executions x
    JOIN jobs j ON j.id = x.job_id
    WHERE x.job_id = k.job_id AND x.attempt = k.attempt
    LIMIT 1
) f ON true;
