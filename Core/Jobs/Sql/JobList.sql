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
WITH page AS (
    -- The limit's rows, newest first, each with the bytes it would bring.
    SELECT j.*, octet_length(j.payload::text) + coalesce(octet_length(j.result::text), 0) + coalesce(octet_length(j.error), 0) AS bytes
    FROM jobs j
    WHERE ($1::text IS NULL OR j.status = $1)
      AND ($2::text IS NULL OR j.type = $2)
      AND ($3::uuid IS NULL OR j.id < $3)
    ORDER BY j.id DESC
    LIMIT $4
), measured AS (
    SELECT page.*, sum(bytes) OVER (ORDER BY id DESC) - bytes AS bytes_before FROM page
), cut AS (
    SELECT measured.*, lag(bytes_before, 1, 0::bigint) OVER (ORDER BY id DESC) AS bytes_before_previous FROM measured
)
SELECT c.id, c.type, c.status, c.priority, c.payload, c.result, c.error, c.attempts,
       c.max_retries, c.timeout_ms,
       array(SELECT d.depends_on_id FROM job_dependencies d WHERE d.job_id = c.id
             ORDER BY d.depends_on_id) AS depends_on,
       c.worker_id, c.created_at, c.scheduled_at, c.started_at, c.completed_at,
       c.effective_priority, c.on_dependency_failure, c.bytes_before < $5 AS in_page
FROM cut c
WHERE c.bytes_before_previous < $5
ORDER BY c.id DESC;
