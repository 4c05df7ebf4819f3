-- SchemaMigrationsCreateIfMissing: the record of applied migrations, made on first use.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY CHECK (version > 0),
    name       text NOT NULL,
    checksum   text NOT NULL,          -- SHA-256 of the file's text, line endings normalised
    applied_at timestamptz NOT NULL DEFAULT now()
);
