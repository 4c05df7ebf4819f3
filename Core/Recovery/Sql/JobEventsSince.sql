-- JobEventsSince: every transition after a time, grouped by job in log order, beside the job as
-- it is now (null columns: deleted), for jobs of a type and in some states now. Point-in-time
-- recovery undoes them from the current state: it reads only what happened since. An event with
-- a started_at recorded a whole attempt, its start and its outcome at once (0014).
--   $1 at timestamptz    $2 type text (null: any)    $3 statuses_now text[] (null: any)
SELECT e.job_id, e.id, e.from_status, e.to_status, e.attempt, e.at,
       e.detail ->> 'reason', e.detail ->> 'outcome', (e.detail ->> 'retryAt')::timestamptz,
       (e.detail ->> 'priority')::integer, (e.detail ->> 'from')::integer,
       j.type, j.status, j.priority, j.effective_priority, j.attempts, j.failures, j.crashes,
       j.max_retries, j.scheduled_at, e.started_at
FROM job_events e
-- Each event's job is looked up by key (OFFSET 0 keeps the subquery from being merged into a
-- join): a plain join let the planner hash every job there is, however few the events since $1.
LEFT JOIN LATERAL (SELECT * FROM jobs WHERE jobs.id = e.job_id OFFSET 0) j ON true
WHERE e.at > $1
  AND ($2::text IS NULL OR j.type = $2)
  AND ($3::text[] IS NULL OR j.status = ANY ($3))
ORDER BY e.job_id, e.id;
