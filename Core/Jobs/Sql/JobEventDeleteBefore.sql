-- JobEventDeleteBefore: retention of the transition log. Deletes up to $2 events older than $1,
-- and moves the horizon that point-in-time recovery may reach to $1 when it deleted any.
--   $1 cutoff timestamptz    $2 limit integer
WITH deleted AS (
    DELETE FROM job_events
    WHERE id IN (SELECT id FROM job_events WHERE at < $1 ORDER BY id LIMIT $2)
    RETURNING 1
), horizon AS (
    UPDATE job_event_horizon
    SET kept_since = greatest(kept_since, $1)
    WHERE EXISTS (SELECT FROM deleted)
)
SELECT count(*)::integer FROM deleted;
