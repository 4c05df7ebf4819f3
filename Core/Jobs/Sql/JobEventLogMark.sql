-- JobEventLogMark: the log as this statement sees it: its last event id, a moment after its
-- snapshot was taken, and when the oldest transaction then open in another session that may be
-- logging events began (null: none is).
--
-- Why: an event's id is taken at insert, not at commit, so an event with a smaller id may become
-- visible after one with a larger id was read. Every id up to the last one seen here was taken
-- by a transaction begun before read_at. Once a later mark finds no such transaction still open
-- (its open_writes_since is after read_at, or null), each of those ids is committed, and visible
-- to any statement after that mark, or rolled back for good: a gap below it is final. The indexer
-- passes gaps that way, and an incremental snapshot looks back to open_writes_since for events
-- committed after its base with ids below the base's position.
--
-- A session may be logging events if it holds a transaction id (it has written), or is running
-- a statement (an insert takes its event's id a moment before its transaction id). Only clients
-- log events: autovacuum's analyze also takes a transaction id, and is left out. Another role's
-- sessions show here only to a role allowed to see them (pg_read_all_stats); every service here
-- uses one role.
-- Returns last_event_id bigint, read_at timestamptz, open_writes_since timestamptz.
SELECT (SELECT coalesce(max(id), 0) FROM job_events),
       clock_timestamp(),
       (SELECT min(xact_start)
        FROM pg_stat_activity
        WHERE datname = current_database()
          AND backend_type = 'client backend'
          AND pid <> pg_backend_pid()
          AND (backend_xid IS NOT NULL OR state = 'active'));
