-- SnapshotGetLatest: the newest snapshot (which an incremental one builds on), or the newest of a kind.
--   $1 kind text (null: any)
SELECT id, kind, reason, label, base_id, format, taken_at, last_event_id, job_count, edge_count,
       size_bytes, counts, fleet, open_writes_since
FROM state_snapshots
WHERE $1::text IS NULL OR kind = $1
ORDER BY id DESC
LIMIT 1;
