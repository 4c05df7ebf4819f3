-- JobCountByState: how many jobs are in each state; queued ones by band (high 4-5, medium 2-3,
-- low 1) of the priority they are dispatched at. Parked jobs count as queued.
SELECT count(*) FILTER (WHERE status = 'queued' AND effective_priority >= 4) AS high,
       count(*) FILTER (WHERE status = 'queued' AND effective_priority BETWEEN 2 AND 3) AS medium,
       count(*) FILTER (WHERE status = 'queued' AND effective_priority = 1) AS low,
       count(*) FILTER (WHERE status = 'scheduled') AS scheduled,
       count(*) FILTER (WHERE status = 'waiting') AS waiting,
       count(*) FILTER (WHERE status = 'running') AS running,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       count(*) FILTER (WHERE status = 'dead_lettered') AS dead_lettered,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled
FROM jobs;
