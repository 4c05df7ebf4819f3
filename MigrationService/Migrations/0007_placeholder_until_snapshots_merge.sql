-- 0007 is the snapshots migration of the branch being built beside this one. This file only
-- keeps the numbering without a gap on this branch (the catalog refuses gaps), so 0008 runs here.
-- DELETE THIS FILE when merging with the branch that adds 0007_snapshots.sql.
SELECT 1;
