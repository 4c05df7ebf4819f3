-- JobCountDispatchState: how many jobs belong in a band (queued, not parked) and how many run:
-- what Redis should hold, for the reconciler's cheap check before it walks anything.
SELECT count(*) FILTER (WHERE status = 'queued' AND parked_at IS NULL) AS queued,
       count(*) FILTER (WHERE status = 'running') AS running
FROM jobs
WHERE status IN ('queued', 'running');
