-- 0016 No JIT compilation in this database. PostgreSQL compiles a plan afresh on every execution
-- whose estimated cost passes jit_above_cost, and the estimates of the graph walks' recursive
-- queries pass it, while the statements themselves run in milliseconds: creating a chain of
-- 1,000 jobs spent most of its time compiling (bench/PERFORMANCE.md). Set on the database, so every session of it has it, through any
-- connection pooler. Only the database's owner (or a superuser) may set it: a database owned by
-- another role keeps the server's setting, and the migration does not fail for that.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_database
               WHERE datname = current_database() AND pg_has_role(current_user, datdba, 'USAGE')) THEN
        EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
    END IF;
END $$;
