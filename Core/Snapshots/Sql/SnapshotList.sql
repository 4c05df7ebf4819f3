-- SnapshotList: a page of snapshots, newest first, after the cursor (an id; null: from the newest).
--   $1 cursor uuid    $2 limit integer
SELECT id, kind, reason, label, base_id, format, taken_at, last_event_id, job_count, edge_count,
       size_bytes, counts, fleet, open_writes_since
FROM state_snapshots
WHERE $1::uuid IS NULL OR id < $1
ORDER BY id DESC
LIMIT $2;
