-- JobGetIdsByIdempotencyKeys: the jobs that hold these idempotency keys.
--   $1 keys text[]
SELECT idempotency_key, id, status, effective_priority FROM jobs WHERE idempotency_key = ANY($1);
