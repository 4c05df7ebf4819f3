-- 0015 Where the next incremental snapshot must look back to.
-- Event ids are taken when a transaction writes, not when it commits. A transaction still open
-- when a snapshot is read may commit an event after it with an id the snapshot's position
-- already passed; the next incremental snapshot finds such events by their stamps instead. It
-- looked back a fixed 10 seconds before the base, so a transaction open longer than that left
-- its change out. Each snapshot now records when the oldest transaction then writing in this
-- database began (null: none was), and the next one looks back from there.
-- A nullable column without a default changes only the catalog: no row is rewritten, and a
-- snapshot taken before this migration keeps the old look-back.
ALTER TABLE state_snapshots ADD COLUMN open_writes_since timestamptz;
