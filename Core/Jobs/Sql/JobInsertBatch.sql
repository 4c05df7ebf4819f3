-- JobInsertBatch: creates jobs, their dependency edges and their first events in one statement
-- (all or none), from parallel arrays, one element per job; the parents are marked as having
-- dependents. A job with a parent that has not
-- completed starts waiting, counting such parents; otherwise it starts in the status given
-- (queued, or scheduled for a runAt ahead). A job whose idempotency key is already taken is not
-- inserted and not returned; the caller reads the job holding it. So is a job whose key an
-- earlier job of the same batch names: the first of them is inserted, and edges name that first
-- one (the Api's JobPlanner maps them, and checks the graph for cycles so).
-- A batch in which no job names a dependency uses JobInsertBatchWithoutDependencies instead.
--   $1 ids uuid[]    $2 types text[]    $3 statuses text[] (queued or scheduled)
--   $4 priorities smallint[]    $5 payloads json[]    $6 max_retries integer[]
--   $7 timeout_ms integer[]    $8 scheduled_at timestamptz[] (null elements: now)
--   $9 idempotency_keys text[] (null: none)    $10 on_dependency_failure text[]
--   $11 edge_job_ids uuid[]    $12 edge_depends_on_ids uuid[]   (one element per edge)
--   $13 now timestamptz    $14 trace_parents text[] (the creating span's traceparent; null: none)
-- Returns id, status, created_at, scheduled_at of each job inserted.
WITH requested AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::smallint[], $5::json[],
                         $6::integer[], $7::integer[], $8::timestamptz[], $9::text[], $10::text[], $14::text[])
        WITH ORDINALITY AS r(id, type, status, priority, payload, max_retries, timeout_ms, scheduled_at, idempotency_key, on_dependency_failure, trace_parent, n)
), holder AS (
    -- A job of the batch whose idempotency key an earlier job holds is that earlier job: the
    -- batch's jobs that depend on it wait for the job that holds the key.
    SELECT r.id AS requested_id, j.id AS holder_id
    FROM requested r
    JOIN jobs j ON j.idempotency_key = r.idempotency_key
), edge AS (
    -- Distinct: two names of one holder are one edge, and one parent to wait for.
    SELECT DISTINCT e.job_id, coalesce(h.holder_id, e.depends_on_id) AS depends_on_id
    FROM unnest($11::uuid[], $12::uuid[]) AS e(job_id, depends_on_id)
    LEFT JOIN holder h ON h.requested_id = e.depends_on_id
), parent AS (
    SELECT DISTINCT depends_on_id AS id FROM edge
), existing_parent AS (
    -- Locked in id order and read at their latest: a parent finishing right now either finished
    -- before this (and counts as completed), or waits for this commit and then, seeing
    -- has_dependents, finishes together with its dependents, this one included.
    -- Locked to be changed, not shared: this transaction goes on to mark them and to lock them
    -- again to lift their priority, and two creates naming one parent that both held it shared
    -- would each wait for the other's share to end (a deadlock). So they take turns.
    SELECT id, status FROM jobs
    WHERE id IN (SELECT id FROM parent)
    ORDER BY id
    FOR NO KEY UPDATE
), marked AS (
    UPDATE jobs
    SET has_dependents = true
    WHERE id IN (SELECT id FROM existing_parent) AND NOT has_dependents
), pending AS (
    -- A parent of the same batch is not in jobs yet: it has not completed either.
    SELECT e.job_id, count(*) FILTER (WHERE p.status IS DISTINCT FROM 'completed') AS parents
    FROM edge e
    LEFT JOIN existing_parent p ON p.id = e.depends_on_id
    GROUP BY e.job_id
), inserted AS (
    INSERT INTO jobs (id, type, status, priority, effective_priority, payload, max_retries, timeout_ms,
                      scheduled_at, idempotency_key, on_dependency_failure, dependencies_pending, has_dependents, created_at,
                      trace_parent)
    SELECT r.id, r.type, CASE WHEN coalesce(p.parents, 0) > 0 THEN 'waiting' ELSE r.status END,
           r.priority, r.priority, r.payload, r.max_retries, r.timeout_ms,
           coalesce(r.scheduled_at, $13::timestamptz), r.idempotency_key, r.on_dependency_failure,
           coalesce(p.parents, 0), b.id IS NOT NULL, $13::timestamptz,
           r.trace_parent
    FROM requested r
    LEFT JOIN pending p ON p.job_id = r.id
    -- A join, not IN (SELECT ...) per row: on a table just emptied the planner misjudged the
    -- edges and ran that test as a scan of every edge for every job (5 s for a fan-out of 10,000).
    LEFT JOIN parent b ON b.id = r.id
    -- In the batch's order, so that of two jobs naming one new key the first is the one kept.
    ORDER BY r.n
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, status, created_at, scheduled_at
), edges AS (
    INSERT INTO job_dependencies (job_id, depends_on_id)
    SELECT e.job_id, e.depends_on_id
    FROM edge e
    JOIN inserted i ON i.id = e.job_id
), events AS (
    INSERT INTO job_events (job_id, to_status, at)
    SELECT id, status, created_at FROM inserted
)
SELECT id, status, created_at, scheduled_at FROM inserted;
