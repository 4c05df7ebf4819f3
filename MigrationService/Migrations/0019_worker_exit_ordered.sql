-- 0019 When the health monitor told a worker to exit (to be replaced). The order also goes out
-- on Redis's control channel, which is the fast path; a worker that missed that message (its
-- subscription reconnecting, Redis down at the moment) reads the order back with its next
-- report. Kept here, not in the monitor's memory, so a restarted monitor or a new leader neither
-- orders it again nor counts it among the active workers it must leave.
ALTER TABLE workers ADD COLUMN exit_ordered_at timestamptz;
