-- RestorePlan: each job's target state beside the job as it is now (null columns: deleted),
-- filtered by type and current state, in id order. Ids follow creation only to the millisecond,
-- so a parent may come after its dependent: after_a_parent marks a job put back to waiting with
-- a parent among the targets later in that order, which is applied once the rest is (a parent
-- put back after it would otherwise find it released already).
--   $1 type text (null: any)    $2 statuses_now text[] (null: any)
WITH target AS (
    SELECT DISTINCT ON (job_id) *
    FROM restore_records
    ORDER BY job_id, seq DESC
), after_a_parent AS (
    SELECT DISTINCT c.job_id
    FROM target c
    JOIN job_dependencies d ON d.job_id = c.job_id
    JOIN target p ON p.job_id = d.depends_on_id AND p.pending
    WHERE c.status = 'waiting' AND p.job_id > c.job_id
)
SELECT t.job_id, t.status, t.priority, t.effective_priority, t.attempts, t.failures, t.crashes, t.run_at,
       j.type, j.status, j.priority, j.attempts, j.scheduled_at, a.job_id IS NOT NULL AS after_a_parent
FROM target t
LEFT JOIN jobs j ON j.id = t.job_id
LEFT JOIN after_a_parent a ON a.job_id = t.job_id
WHERE t.pending
  AND ($1::text IS NULL OR j.type = $1)
  AND ($2::text[] IS NULL OR j.status = ANY ($2))
ORDER BY t.job_id;
