-- JobInsert: creates one job, its dependency edges and its first event, in one statement.
-- A repeated idempotency key inserts nothing and returns no row; the caller then reads the job
-- that holds the key.
--   $1 id uuid            $2 type text              $3 status text       $4 priority smallint
--   $5 payload json      $6 max_retries integer    $7 timeout_ms integer
--   $8 scheduled_at timestamptz (null: now)         $9 idempotency_key text (null: none)
--   $10 depends_on uuid[]
-- Returns created_at, scheduled_at of the new job.
WITH inserted AS (
    INSERT INTO jobs (id, type, status, priority, effective_priority, payload,
                      max_retries, timeout_ms, scheduled_at, idempotency_key)
    VALUES ($1, $2, $3, $4, $4, $5, $6, $7, coalesce($8, now()), $9)
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, status, created_at, scheduled_at
), edges AS (
    INSERT INTO job_dependencies (job_id, depends_on_id)
    SELECT inserted.id, parent FROM inserted, unnest($10::uuid[]) AS parent
), event AS (
    INSERT INTO job_events (job_id, to_status, at)
    SELECT id, status, created_at FROM inserted
)
SELECT created_at, scheduled_at FROM inserted;
