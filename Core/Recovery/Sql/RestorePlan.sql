-- RestorePlan: each job's target state beside the job as it is now (null columns: deleted),
-- filtered by type and current state, in id order.
--   $1 type text (null: any)    $2 statuses_now text[] (null: any)
WITH target AS (
    SELECT DISTINCT ON (job_id) *
    FROM restore_records
    ORDER BY job_id, seq DESC
)
SELECT t.job_id, t.status, t.priority, t.effective_priority, t.attempts, t.failures, t.crashes, t.run_at,
       j.type, j.status, j.priority, j.attempts, j.scheduled_at
FROM target t
LEFT JOIN jobs j ON j.id = t.job_id
WHERE t.pending
  AND ($1::text IS NULL OR j.type = $1)
  AND ($2::text[] IS NULL OR j.status = ANY ($2))
ORDER BY t.job_id;
