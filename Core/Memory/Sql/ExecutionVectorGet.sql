-- ExecutionVectorGet: the stored vector of one attempt, if any.
--   $1 job_id uuid    $2 attempt integer
SELECT embedding FROM execution_vectors WHERE job_id = $1 AND attempt = $2;
