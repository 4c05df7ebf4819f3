-- SnapshotFleet: the workers that are alive, as a snapshot records them.
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', id, 'name', name, 'status', status, 'capacity', concurrency, 'jobTypes', job_types,
           'currentLoad', current_load, 'healthScore', health_score, 'lastHeartbeatAt', last_heartbeat_at)
           ORDER BY name), '[]')
FROM workers
WHERE status IN ('active', 'draining');
