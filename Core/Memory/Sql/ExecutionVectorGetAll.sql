-- ExecutionVectorGetAll: every stored vector, in no particular order: how the PostgreSQL vector
-- store's in-memory copy is first loaded. One pass over the table, streamed; no sort (an ORDER BY
-- here made PostgreSQL sort the whole table, 150 MB for 100,000 vectors, when its statistics
-- were stale after a bulk load).
SELECT seq, job_id, attempt, job_type, outcome, embedding
FROM execution_vectors;
