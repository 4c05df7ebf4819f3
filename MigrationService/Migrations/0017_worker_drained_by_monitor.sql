-- 0017 Whether the health monitor drained a worker (foreseeing its failure) rather than an
-- operator. The monitor tells a worker it drained to exit once idle, so that the orchestrator
-- replaces it; one an operator drained stays as the operator left it. Kept here, not in the
-- monitor's memory, so a restarted monitor or a new leader still knows which is which.
ALTER TABLE workers ADD COLUMN drained_by_monitor boolean NOT NULL DEFAULT false;
