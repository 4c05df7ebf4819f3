-- The database's side of the count check: completed jobs, and completed jobs with the effect of
-- their completing attempt; and the sessions open on the database, all of them and those not
-- idle (once the load is over, a session still busy or idle in a transaction is a leak).
SELECT (SELECT count(*) FROM jobs WHERE status = 'completed') AS completed,
       (SELECT count(*) FROM jobs j
         WHERE j.status = 'completed'
           AND EXISTS (SELECT 1 FROM job_effects f WHERE f.job_id = j.id AND f.attempt = (j.result ->> 'attempt')::int)) AS with_effect,
       (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS sessions,
       (SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle') AS busy_sessions;
