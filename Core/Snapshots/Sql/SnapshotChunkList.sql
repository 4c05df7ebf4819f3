-- SnapshotChunkList: a snapshot's chunks in order; read row by row.
--   $1 snapshot_id uuid
SELECT data FROM state_snapshot_chunks WHERE snapshot_id = $1 ORDER BY seq;
