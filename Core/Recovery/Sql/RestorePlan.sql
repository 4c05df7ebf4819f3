-- RestorePlan: each job's target state beside the job as it is now (null columns: deleted),
-- filtered by type and current state, in id order. under_a_target marks a job put back to
-- waiting that depends on another of the targets: it is written once the rest is, parents among
-- them first (JobRestorer), since written before a parent put back it would count that parent
-- as it is now, done perhaps, and be released. Ids follow creation only to the millisecond, so
-- id order alone does not put parents first.
--   $1 type text (null: any)    $2 statuses_now text[] (null: any)
WITH target AS (
    SELECT DISTINCT ON (job_id) *
    FROM restore_records
    ORDER BY job_id, seq DESC
), under_a_target AS (
    SELECT DISTINCT c.job_id
    FROM target c
    JOIN job_dependencies d ON d.job_id = c.job_id
    JOIN target p ON p.job_id = d.depends_on_id AND p.pending
    WHERE c.status = 'waiting'
)
SELECT t.job_id, t.status, t.priority, t.effective_priority, t.attempts, t.failures, t.crashes, t.run_at,
       j.type, j.status, j.priority, j.attempts, j.scheduled_at, u.job_id IS NOT NULL AS under_a_target,
       j.failures, j.crashes, EXISTS (SELECT FROM job_dependencies d WHERE d.job_id = t.job_id) AS has_parents
FROM target t
LEFT JOIN jobs j ON j.id = t.job_id
LEFT JOIN under_a_target u ON u.job_id = t.job_id
WHERE t.pending
  AND ($1::text IS NULL OR j.type = $1)
  AND ($2::text[] IS NULL OR j.status = ANY ($2))
ORDER BY t.job_id;
