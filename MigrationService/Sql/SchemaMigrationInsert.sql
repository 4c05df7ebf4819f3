-- SchemaMigrationInsert: records a migration as applied, in the transaction that applied it.
--   $1 version integer    $2 name text    $3 checksum text
INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3);
