-- JobEventDeleteBefore: retention of the transition log. Deletes up to $2 events older than $1.
--   $1 cutoff timestamptz    $2 limit integer
DELETE FROM job_events
WHERE id IN (SELECT id FROM job_events WHERE at < $1 ORDER BY id LIMIT $2);
