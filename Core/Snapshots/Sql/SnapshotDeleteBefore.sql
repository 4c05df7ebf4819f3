-- SnapshotDeleteBefore: retention of the snapshots nobody asked for by hand (automatic, and those
-- taken before a restore) taken before the cutoff, with the chain built on them; but a chain a
-- manual snapshot is built on is kept with it, as manual snapshots are.
--   $1 cutoff timestamptz
WITH RECURSIVE under_manual (id) AS (
    SELECT base_id FROM state_snapshots WHERE reason = 'manual' AND base_id IS NOT NULL
    UNION
    SELECT s.base_id FROM under_manual u JOIN state_snapshots s ON s.id = u.id WHERE s.base_id IS NOT NULL
), deleted AS (
    DELETE FROM state_snapshots
    WHERE reason IN ('automatic', 'before_restore') AND taken_at < $1
      AND id NOT IN (SELECT id FROM under_manual)
    RETURNING 1
)
SELECT count(*)::integer FROM deleted;
