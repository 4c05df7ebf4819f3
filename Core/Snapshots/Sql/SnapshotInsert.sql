-- SnapshotInsert: a snapshot's row, written after its chunks in the same transaction.
--   $1 id uuid    $2 kind text    $3 reason text    $4 label text    $5 base_id uuid
--   $6 format smallint    $7 taken_at timestamptz    $8 last_event_id bigint    $9 job_count integer
--   $10 edge_count integer    $11 size_bytes bigint    $12 counts jsonb    $13 fleet jsonb
--   $14 open_writes_since timestamptz
INSERT INTO state_snapshots (id, kind, reason, label, base_id, format, taken_at, last_event_id,
                             job_count, edge_count, size_bytes, counts, fleet, open_writes_since)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14);
