-- SnapshotPosition: the newest transition the snapshot's transaction sees, and its clock. Read in
-- the same REPEATABLE READ transaction as the jobs, so both describe one moment.
SELECT coalesce(max(id), 0) FROM job_events;
