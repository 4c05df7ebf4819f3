-- Every job in the table, acknowledged or not (a create whose answer was lost ran all the same),
-- whose history breaks what the schema promises (schema.md, "Attempts" and "Where the truth about
-- a running job lives"): one execution per attempt, numbered 1 to jobs.attempts; one completion
-- at most, by the last attempt; an attempt still running only on a running job, and only the
-- last. A job that keeps them returns no row.
WITH runs AS (
    SELECT job_id,
           count(*) AS executions,
           max(attempt) AS last_attempt,
           count(*) FILTER (WHERE status = 'completed') AS completions,
           max(attempt) FILTER (WHERE status = 'completed') AS completing,
           count(*) FILTER (WHERE status = 'running') AS running,
           max(attempt) FILTER (WHERE status = 'running') AS running_attempt
    FROM job_executions
    GROUP BY job_id
)
SELECT j.id,
       CASE
           WHEN j.attempts <> coalesce(r.executions, 0) OR j.attempts <> coalesce(r.last_attempt, 0)
               THEN 'attempts ' || j.attempts || ', but ' || coalesce(r.executions, 0) || ' executions numbered up to ' || coalesce(r.last_attempt, 0)
           WHEN r.completions > 1 THEN 'completed ' || r.completions || ' times'
           WHEN r.completing < r.last_attempt THEN 'attempt ' || r.last_attempt || ' ran after attempt ' || r.completing || ' completed'
           WHEN (j.status = 'completed') <> (coalesce(r.completions, 0) = 1) THEN 'status ' || j.status::text || ' with ' || coalesce(r.completions, 0) || ' completed executions'
           WHEN r.running > 1 OR r.running_attempt < r.last_attempt THEN 'an attempt before the last still running'
           ELSE 'status ' || j.status::text || ' with an attempt still running'
       END AS problem
FROM jobs j
LEFT JOIN runs r ON r.job_id = j.id
WHERE j.attempts <> coalesce(r.executions, 0)
   OR j.attempts <> coalesce(r.last_attempt, 0)
   OR r.completions > 1
   OR r.completing < r.last_attempt
   OR (j.status = 'completed') <> (coalesce(r.completions, 0) = 1)
   OR r.running > 1
   OR r.running_attempt < r.last_attempt
   OR (r.running > 0 AND j.status <> 'running');
