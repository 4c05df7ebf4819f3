-- JobGetById: one job with the ids of the jobs it depends on.
--   $1 id uuid
SELECT j.id, j.type, j.status, j.priority, j.payload, j.result, j.error, j.attempts,
       j.max_retries, j.timeout_ms,
       array(SELECT d.depends_on_id FROM job_dependencies d WHERE d.job_id = j.id
             ORDER BY d.depends_on_id) AS depends_on,
       j.worker_id, j.created_at, j.scheduled_at, j.started_at, j.completed_at,
       j.effective_priority, j.on_dependency_failure
FROM jobs j
WHERE j.id = $1;
