-- JobActivitySince: what moved per 10 seconds since $1, folded totals only (at most a fold
-- interval behind).
--   $1 since timestamptz
SELECT bucket, started, wait_ms, completed, retried, dead_lettered, cancelled
FROM job_activity
WHERE bucket >= $1
ORDER BY bucket;
