-- SnapshotReadChangedJobs: every job with a transition since the snapshot an incremental one builds
-- on, as it is now (a deleted job as such), for an incremental snapshot.
-- Event ids are taken when a transaction writes, not when it commits: a transaction that began
-- before the base snapshot may commit an event with a lower id after it, stamped after that
-- transaction began. Jobs with an event stamped after $2 (the base's moment, or the start of the
-- oldest transaction then writing, less a margin) are read too; reading a job twice is harmless.
--   $1 after_event_id bigint    $2 since timestamptz
WITH changed AS (
    SELECT job_id FROM job_events WHERE id > $1
    UNION
    SELECT job_id FROM job_events WHERE at > $2
)
SELECT c.job_id, coalesce(j.type, ''), coalesce(j.status, 'cancelled'), coalesce(j.priority, 1),
       coalesce(j.effective_priority, 1), coalesce(j.attempts, 0), coalesce(j.failures, 0),
       coalesce(j.crashes, 0), coalesce(j.max_retries, 0), coalesce(j.scheduled_at, '-infinity'),
       coalesce((SELECT array_agg(d.depends_on_id) FROM job_dependencies d WHERE d.job_id = j.id), '{}'),
       j.id IS NULL
FROM changed c
-- Each changed job is looked up by key. A plain join let the planner hash every job there is
-- for a few thousand changed ones (the estimate of `changed` is a guess); OFFSET 0 keeps the
-- lookup a subquery run once per changed job.
LEFT JOIN LATERAL (SELECT * FROM jobs WHERE jobs.id = c.job_id OFFSET 0) j ON true;
