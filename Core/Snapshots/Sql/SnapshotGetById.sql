-- SnapshotGetById: one snapshot's row.
--   $1 id uuid
SELECT id, kind, reason, label, base_id, format, taken_at, last_event_id, job_count, edge_count,
       size_bytes, counts, fleet, open_writes_since
FROM state_snapshots
WHERE id = $1;
