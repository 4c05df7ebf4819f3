-- ExecutionVectorGetSince: the vectors stored after sequence number $1, in the order stored, at
-- most $2: how the PostgreSQL vector store's in-memory copy catches up before a search.
--   $1 after_seq bigint    $2 limit integer
SELECT seq, job_id, attempt, job_type, outcome, embedding
FROM execution_vectors
WHERE seq > $1
ORDER BY seq
LIMIT $2;
