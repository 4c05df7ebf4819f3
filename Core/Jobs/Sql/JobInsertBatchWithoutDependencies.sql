-- JobInsertBatchWithoutDependencies: JobInsertBatch for a batch in which no job names a
-- dependency, the common case: each job starts in the status given (queued, or scheduled for a
-- runAt ahead) with its first event. Planned once and reused: JobInsertBatch's dependency steps,
-- estimated for ten edges in a plan made for any batch, kept PostgreSQL planning that statement
-- afresh at every call, at over half a millisecond. A job whose idempotency key is already taken
-- is not inserted and not returned; the caller reads the job holding it.
--   $1 ids uuid[]    $2 types text[]    $3 statuses text[] (queued or scheduled)
--   $4 priorities smallint[]    $5 payloads json[]    $6 max_retries integer[]
--   $7 timeout_ms integer[]    $8 scheduled_at timestamptz[] (null elements: now)
--   $9 idempotency_keys text[] (null: none)    $10 on_dependency_failure text[]
--   $11 now timestamptz    $12 trace_parents text[] (the creating span's traceparent; null: none)
-- Returns id, status, created_at, scheduled_at of each job inserted.
WITH inserted AS (
    INSERT INTO jobs (id, type, status, priority, effective_priority, payload, max_retries, timeout_ms,
                      scheduled_at, idempotency_key, on_dependency_failure, created_at, trace_parent)
    SELECT r.id, r.type, r.status, r.priority, r.priority, r.payload, r.max_retries, r.timeout_ms,
           coalesce(r.scheduled_at, $11::timestamptz), r.idempotency_key, r.on_dependency_failure, $11::timestamptz,
           r.trace_parent
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::smallint[], $5::json[],
                $6::integer[], $7::integer[], $8::timestamptz[], $9::text[], $10::text[], $12::text[])
        AS r(id, type, status, priority, payload, max_retries, timeout_ms, scheduled_at, idempotency_key, on_dependency_failure, trace_parent)
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, status, created_at, scheduled_at
), events AS (
    INSERT INTO job_events (job_id, to_status, at)
    SELECT id, status, created_at FROM inserted
)
SELECT id, status, created_at, scheduled_at FROM inserted;
