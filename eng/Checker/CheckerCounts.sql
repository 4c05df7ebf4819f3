-- The database's side of the count check: completed jobs, and completed jobs with the effect of
-- their completing attempt; and the sessions open on the database (for leaks).
SELECT (SELECT count(*) FROM jobs WHERE status = 'completed') AS completed,
       (SELECT count(*) FROM jobs j
         WHERE j.status = 'completed'
           AND EXISTS (SELECT 1 FROM job_effects f WHERE f.job_id = j.id AND f.attempt = (j.result ->> 'attempt')::int)) AS with_effect,
       (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS sessions;
