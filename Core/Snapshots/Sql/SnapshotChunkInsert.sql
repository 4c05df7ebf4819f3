-- SnapshotChunkInsert: one compressed chunk of a snapshot's records.
--   $1 snapshot_id uuid    $2 seq integer    $3 records integer    $4 data bytea
INSERT INTO state_snapshot_chunks (snapshot_id, seq, records, data) VALUES ($1, $2, $3, $4);
