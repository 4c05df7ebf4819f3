-- SnapshotDeleteBefore: retention of the snapshots nobody asked for by hand (automatic, and those
-- taken before a restore) taken before the cutoff, with the chain built on them; but the chain a
-- kept snapshot is built on is kept with it: a manual one's, and a recent one's (a retention
-- shorter than the time between full snapshots would otherwise delete the last full one, and by
-- cascade every snapshot since, the one just taken too).
--   $1 cutoff timestamptz
WITH RECURSIVE under_kept (id) AS (
    SELECT base_id FROM state_snapshots
    WHERE base_id IS NOT NULL AND (reason NOT IN ('automatic', 'before_restore') OR taken_at >= $1)
    UNION
    SELECT s.base_id FROM under_kept u JOIN state_snapshots s ON s.id = u.id WHERE s.base_id IS NOT NULL
), deleted AS (
    DELETE FROM state_snapshots
    WHERE reason IN ('automatic', 'before_restore') AND taken_at < $1
      AND id NOT IN (SELECT id FROM under_kept)
    RETURNING 1
)
SELECT count(*)::integer FROM deleted;
