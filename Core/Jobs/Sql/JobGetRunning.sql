-- JobGetRunning: which of these ids are running jobs. The reconciler keeps their Redis leases.
--   $1 ids uuid[]
SELECT id FROM jobs
-- One key per job; the status test one condition no index can serve (see JobGetStartable.sql).
WHERE id = ANY($1) AND (status = 'running') IS TRUE;
