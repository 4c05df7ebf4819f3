-- JobGetRunning: which of these ids are running jobs. The reconciler keeps their Redis leases.
--   $1 ids uuid[]
SELECT id FROM jobs
WHERE id = ANY($1) AND status = 'running';
