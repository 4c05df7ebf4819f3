-- SnapshotGetLatest: the newest snapshot, which an incremental one builds on.
SELECT id, kind, reason, label, base_id, format, taken_at, last_event_id, job_count, edge_count,
       size_bytes, counts, fleet
FROM state_snapshots
ORDER BY id DESC
LIMIT 1;
