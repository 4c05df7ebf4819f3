-- SnapshotReadJobs: every job that has not finished, with the jobs it depends on, for a full
-- snapshot. Streamed: the caller writes chunks as rows arrive.
SELECT j.id, j.type, j.status, j.priority, j.effective_priority, j.attempts, j.failures, j.crashes,
       j.max_retries, j.scheduled_at,
       coalesce((SELECT array_agg(d.depends_on_id) FROM job_dependencies d WHERE d.job_id = j.id), '{}'),
       false
FROM jobs j
WHERE j.status IN ('waiting', 'scheduled', 'queued', 'running');
