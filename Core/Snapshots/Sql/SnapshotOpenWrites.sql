-- SnapshotOpenWrites: when the oldest transaction that has written in this database and not yet
-- committed began (null: none has), read just before a snapshot's transaction. Such a
-- transaction may commit events after the snapshot with ids below its position, stamped after
-- it began; the next incremental snapshot looks back from here for them. A transaction that
-- writes only later stamps its events later too. Another role's sessions show here only to a
-- role allowed to see them (pg_read_all_stats); unseen, only the fixed overlap covers them.
-- Only clients log events: autovacuum's analyze also takes an xid, and is left out.
SELECT min(xact_start)
FROM pg_stat_activity
WHERE datname = current_database()
  AND backend_type = 'client backend'
  AND backend_xid IS NOT NULL
  AND pid <> pg_backend_pid();
