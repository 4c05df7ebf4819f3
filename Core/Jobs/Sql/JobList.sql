-- JobList: a page of jobs, newest first, optionally of one status and/or one type. Keyset
-- pagination: the cursor is the id of the last job of the previous page (ids are UUIDv7, so
-- they order by creation). A page also ends once the payloads, results and errors before a job
-- reach max_bytes, so a page of large payloads cannot fill the Api's memory; it always holds
-- its first job. PostgreSQL still reads each of the limit's rows to measure it (json has no
-- cast to text that leaves a stored value unread), as it read them all before the cut; only
-- the page's rows, and the one after it, are sent.
--   $1 status text (null: any)    $2 type text (null: any)    $3 before_id uuid (null: from the newest)
--   $4 limit integer (the page's length, plus one to learn whether another page follows)
--   $5 max_bytes bigint
-- Returns the jobs of the page (in_page), then at most one job of the next page (not in_page),
-- whose presence says another page follows.
SELECT q.id, q.type, q.status, q.priority, q.payload, q.result, q.error, q.attempts,
       q.max_retries, q.timeout_ms,
       array(SELECT d.depends_on_id FROM job_dependencies d WHERE d.job_id = q.id
             ORDER BY d.depends_on_id) AS depends_on,
       q.worker_id, q.created_at, q.scheduled_at, q.started_at, q.completed_at,
       q.effective_priority, q.on_dependency_failure, q.bytes_before < $5 AS in_page
FROM (
    SELECT p.*, lag(p.bytes_before, 1, 0::bigint) OVER (ORDER BY p.id DESC) AS bytes_before_previous
    FROM (
        SELECT j.*,
               sum(octet_length(j.payload::text) + coalesce(octet_length(j.result::text), 0) + coalesce(octet_length(j.error), 0))
                   OVER (ORDER BY j.id DESC)
               - (octet_length(j.payload::text) + coalesce(octet_length(j.result::text), 0) + coalesce(octet_length(j.error), 0)) AS bytes_before
        FROM jobs j
        WHERE ($1::text IS NULL OR j.status = $1)
          AND ($2::text IS NULL OR j.type = $2)
          AND ($3::uuid IS NULL OR j.id < $3)
        ORDER BY j.id DESC
        LIMIT $4
    ) p
) q
WHERE q.bytes_before_previous < $5
ORDER BY q.id DESC;
