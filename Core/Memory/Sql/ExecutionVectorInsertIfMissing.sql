-- ExecutionVectorInsertIfMissing: stores the vectors of a batch of remembered attempts; an
-- attempt already stored keeps its row (an indexer that restarts before saving its cursor sends
-- the same attempts again, with the same vectors). An attempt whose job was purged meanwhile is
-- skipped rather than failing the batch on the foreign key.
--   $1 job_ids uuid[]    $2 attempts integer[]    $3 job_types text[]    $4 outcomes text[]
--   $5 embeddings, all the vectors one after another, real[]    $6 dimensions integer
--   (the arrays of the same length and order, the embeddings $6 floats each)
INSERT INTO execution_vectors (job_id, attempt, job_type, outcome, embedding)
SELECT v.job_id, v.attempt, v.job_type, v.outcome, ($5::real[])[v.ordinality * $6 - $6 + 1 : v.ordinality * $6]
FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::text[]) WITH ORDINALITY AS v(job_id, attempt, job_type, outcome, ordinality)
WHERE EXISTS (SELECT FROM job_executions x WHERE x.job_id = v.job_id AND x.attempt = v.attempt)
ON CONFLICT (job_id, attempt) DO NOTHING;
