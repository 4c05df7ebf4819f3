-- 0012 CPU waits and prediction reasons.
-- cpu_wait_share: how long a worker's threads waited for a CPU in a sample's window, per second
-- of the window (summed over threads, so it can pass 1): a watched metric that shows a worker
-- starved of CPU, whose own CPU use looks modest. Null where the worker's OS does not tell.
-- prediction_reason: what the sample's predicted failure is expected from, in words (the
-- score's fall, or memory heading for the level that fails the worker); null when none is.
ALTER TABLE worker_health_logs
    ADD COLUMN cpu_wait_share    real CHECK (cpu_wait_share >= 0),
    ADD COLUMN prediction_reason text;
