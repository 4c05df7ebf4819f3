-- SnapshotDeleteBefore: retention of the snapshots nobody asked for by hand (automatic, and those
-- taken before a restore) taken before the cutoff, with the chain built on them.
--   $1 cutoff timestamptz
WITH deleted AS (
    DELETE FROM state_snapshots
    WHERE reason IN ('automatic', 'before_restore') AND taken_at < $1
    RETURNING 1
)
SELECT count(*)::integer FROM deleted;
