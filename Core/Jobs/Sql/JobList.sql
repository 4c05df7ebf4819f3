-- JobList: a page of jobs, newest first, optionally of one status and/or one type. Keyset
-- pagination: the cursor is the id of the last job of the previous page (ids are UUIDv7, so
-- they order by creation).
--   $1 status text (null: any)    $2 type text (null: any)    $3 before_id uuid (null: from the newest)
--   $4 limit integer
SELECT j.id, j.type, j.status, j.priority, j.payload, j.result, j.error, j.attempts,
       j.max_retries, j.timeout_ms,
       array(SELECT d.depends_on_id FROM job_dependencies d WHERE d.job_id = j.id
             ORDER BY d.depends_on_id) AS depends_on,
       j.worker_id, j.created_at, j.scheduled_at, j.started_at, j.completed_at,
       j.effective_priority, j.on_dependency_failure
FROM jobs j
WHERE ($1::text IS NULL OR j.status = $1)
  AND ($2::text IS NULL OR j.type = $2)
  AND ($3::uuid IS NULL OR j.id < $3)
ORDER BY j.id DESC
LIMIT $4;
