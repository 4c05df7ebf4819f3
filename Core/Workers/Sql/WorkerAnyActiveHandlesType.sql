-- WorkerAnyLiveHandlesType: whether a live worker (active or draining) runs jobs of a type.
--   $1 type text
SELECT EXISTS (
    SELECT FROM workers WHERE status IN ('active', 'draining') AND $1 = ANY(job_types)
);
