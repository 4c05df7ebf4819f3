-- MigrationLockRelease: lets the next MigrationService run in.
SELECT pg_advisory_unlock(hashtext('aspirejobs.migrations'));
