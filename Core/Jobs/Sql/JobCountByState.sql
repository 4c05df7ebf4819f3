-- JobCountByState: how many jobs are in each state; queued ones by band (high 4-5, medium 2-3,
-- low 1) of the priority they are dispatched at. Parked jobs count as queued. From the folded
-- totals plus the changes not folded yet (a few seconds' worth at most), never from jobs.
SELECT coalesce(sum(jobs) FILTER (WHERE status = 'queued' AND band = 'high'), 0)::bigint AS high,
       coalesce(sum(jobs) FILTER (WHERE status = 'queued' AND band = 'medium'), 0)::bigint AS medium,
       coalesce(sum(jobs) FILTER (WHERE status = 'queued' AND band = 'low'), 0)::bigint AS low,
       coalesce(sum(jobs) FILTER (WHERE status = 'scheduled'), 0)::bigint AS scheduled,
       coalesce(sum(jobs) FILTER (WHERE status = 'waiting'), 0)::bigint AS waiting,
       coalesce(sum(jobs) FILTER (WHERE status = 'running'), 0)::bigint AS running,
       coalesce(sum(jobs) FILTER (WHERE status = 'completed'), 0)::bigint AS completed,
       coalesce(sum(jobs) FILTER (WHERE status = 'dead_lettered'), 0)::bigint AS dead_lettered,
       coalesce(sum(jobs) FILTER (WHERE status = 'cancelled'), 0)::bigint AS cancelled
FROM (SELECT status, band, jobs FROM job_counts
      UNION ALL
      SELECT status, band, delta FROM job_count_changes) AS counted;
