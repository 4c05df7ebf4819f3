-- 0020 The indexer keeps a cursor per vector store: `indexer` for PostgreSQL's, and
-- `indexer:qdrant:executions` for Qdrant's. A system that indexed into Qdrant kept its place under
-- `indexer`; with no vector in PostgreSQL (which stays empty under Qdrant) that place is Qdrant's,
-- and takes its name, so the indexer neither reads the whole log again into Qdrant nor, should the
-- system go back to PostgreSQL, start past every attempt it never stored there. (A system on
-- PostgreSQL that has remembered nothing yet reads its log again, and again remembers nothing.)
UPDATE job_event_cursors SET name = 'indexer:qdrant:executions'
WHERE name = 'indexer'
  AND NOT EXISTS (SELECT FROM execution_vectors)
  AND NOT EXISTS (SELECT FROM job_event_cursors WHERE name = 'indexer:qdrant:executions');
