-- SnapshotFleet: the workers that are alive, as a snapshot records them. The heartbeat's time is
-- written as every time of the Api is, ISO-8601 in UTC with a Z, whatever the session's time
-- zone: as jsonb would render a timestamptz, it took the session's offset.
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', id, 'name', name, 'status', status, 'capacity', concurrency, 'jobTypes', job_types,
           'currentLoad', current_load, 'healthScore', health_score,
           'lastHeartbeatAt', to_char(last_heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
           ORDER BY name), '[]')
FROM workers
WHERE status IN ('active', 'draining');
