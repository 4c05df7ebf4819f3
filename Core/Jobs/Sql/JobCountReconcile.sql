-- JobCountReconcile: counts jobs by state and band the expensive way and compares with the
-- totals plus ledger. One statement sees one snapshot, and the triggers write the ledger in the
-- transaction that changes jobs, so any difference is real drift (a write that bypassed the
-- triggers, or a bug). The difference is appended to the ledger as a correction, which later
-- changes simply add to. Returns each correction: status, band, delta.
WITH actual AS (
    SELECT status, job_band(effective_priority) AS band, count(*) AS jobs FROM jobs GROUP BY 1, 2
), counted AS (
    SELECT status, band, sum(jobs) AS jobs
    FROM (SELECT status, band, jobs FROM job_counts
          UNION ALL
          SELECT status, band, delta FROM job_count_changes) AS c
    GROUP BY status, band
), drift AS (
    SELECT coalesce(a.status, c.status) AS status, coalesce(a.band, c.band) AS band,
           coalesce(a.jobs, 0) - coalesce(c.jobs, 0) AS delta
    FROM actual a FULL JOIN counted c ON c.status = a.status AND c.band = a.band
)
INSERT INTO job_count_changes (status, band, delta)
SELECT status, band, delta FROM drift WHERE delta <> 0
RETURNING status, band, delta;
