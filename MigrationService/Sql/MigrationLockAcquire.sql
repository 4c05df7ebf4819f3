-- MigrationLockAcquire: waits for the one migration lock of this database (a session-level
-- advisory lock), so concurrent MigrationService runs apply each migration exactly once.
SELECT pg_advisory_lock(hashtext('aspirejobs.migrations'));
