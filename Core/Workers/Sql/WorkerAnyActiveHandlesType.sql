-- WorkerAnyActiveHandlesType: whether an active worker runs jobs of a type. A draining one takes
-- no new jobs, and never will again: a job only it runs is parked, not offered again and again.
--   $1 type text
SELECT EXISTS (
    SELECT FROM workers WHERE status = 'active' AND $1 = ANY(job_types)
);
