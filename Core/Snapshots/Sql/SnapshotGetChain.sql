-- SnapshotGetChain: the full snapshot a snapshot builds on and every incremental one from there
-- to it, oldest first: replayed in this order, they give the jobs as the snapshot saw them.
--   $1 id uuid
WITH RECURSIVE chain AS (
    SELECT id, base_id, format, 0 AS depth FROM state_snapshots WHERE id = $1
    UNION ALL
    SELECT s.id, s.base_id, s.format, c.depth + 1
    FROM state_snapshots s
    JOIN chain c ON s.id = c.base_id
)
SELECT id, format FROM chain ORDER BY depth DESC;
