-- JobActivityDeleteBefore: retention of the per-10-seconds activity totals.
--   $1 cutoff timestamptz
DELETE FROM job_activity WHERE bucket < $1;
