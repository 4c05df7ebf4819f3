-- Every acknowledged job ($1) that breaks the promise, and how: it is missing; it is not
-- finished; it finished without completing; it completed twice; or its result (written only by
-- the fenced finish) names an attempt that is not the one that completed, or that recorded no
-- effect. A job that keeps the promise returns no row.
WITH acknowledged AS (SELECT unnest($1::uuid[]) AS id),
completions AS (
    SELECT e.job_id, count(*) AS completed, min(e.attempt) AS attempt
    FROM job_executions e JOIN acknowledged a ON a.id = e.job_id
    WHERE e.status = 'completed'
    GROUP BY e.job_id
)
SELECT a.id,
       CASE
           WHEN j.id IS NULL THEN 'missing'
           WHEN j.status NOT IN ('completed', 'dead_lettered', 'cancelled') THEN 'not finished: ' || j.status::text || ', attempt ' || j.attempts
                || coalesce(', on ' || w.status || ' worker ' || w.name || ' (pid ' || w.process_id || ')', '')
           WHEN j.status <> 'completed' THEN 'ended ' || j.status::text || ' after ' || j.attempts || ' attempts: ' || coalesce(left(j.error, 300), 'no error')
           WHEN c.completed IS DISTINCT FROM 1 THEN 'completed ' || coalesce(c.completed, 0) || ' times'
           WHEN (j.result ->> 'attempt')::int IS DISTINCT FROM c.attempt THEN 'its result is from attempt ' || coalesce(j.result ->> 'attempt', 'none') || ', not the completing ' || c.attempt
           ELSE 'the completing attempt recorded no effect'
       END AS problem
FROM acknowledged a
LEFT JOIN jobs j ON j.id = a.id
LEFT JOIN completions c ON c.job_id = a.id
LEFT JOIN workers w ON w.id = j.worker_id
WHERE j.id IS NULL
   OR j.status <> 'completed'
   OR c.completed IS DISTINCT FROM 1
   OR (j.result ->> 'attempt')::int IS DISTINCT FROM c.attempt
   OR NOT EXISTS (SELECT 1 FROM job_effects f WHERE f.job_id = a.id AND f.attempt = c.attempt);
