-- JobInsertBatch: creates many jobs, their dependency edges and their first events in one
-- statement (all or none), from parallel arrays, one element per job. A job whose idempotency
-- key is already taken is not inserted and not returned; the caller reads the job holding it.
--   $1 ids uuid[]    $2 types text[]    $3 statuses text[]    $4 priorities smallint[]
--   $5 payloads json[]    $6 max_retries integer[]    $7 timeout_ms integer[]
--   $8 scheduled_at timestamptz[] (null elements: now)    $9 idempotency_keys text[] (null: none)
--   $10 edge_job_ids uuid[]    $11 edge_depends_on_ids uuid[]   (one element per edge)
-- Returns id, created_at, scheduled_at of each job inserted.
WITH requested AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::smallint[], $5::json[],
                         $6::integer[], $7::integer[], $8::timestamptz[], $9::text[])
        AS r(id, type, status, priority, payload, max_retries, timeout_ms, scheduled_at, idempotency_key)
), inserted AS (
    INSERT INTO jobs (id, type, status, priority, effective_priority, payload,
                      max_retries, timeout_ms, scheduled_at, idempotency_key)
    SELECT id, type, status, priority, priority, payload,
           max_retries, timeout_ms, coalesce(scheduled_at, now()), idempotency_key
    FROM requested
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, status, created_at, scheduled_at
), edges AS (
    INSERT INTO job_dependencies (job_id, depends_on_id)
    SELECT e.job_id, e.depends_on_id
    FROM unnest($10::uuid[], $11::uuid[]) AS e(job_id, depends_on_id)
    JOIN inserted i ON i.id = e.job_id
), events AS (
    INSERT INTO job_events (job_id, to_status, at)
    SELECT id, status, created_at FROM inserted
)
SELECT id, created_at, scheduled_at FROM inserted;
