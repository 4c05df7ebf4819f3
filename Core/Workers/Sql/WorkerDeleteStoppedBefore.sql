-- WorkerDeleteStoppedBefore: retention of workers that stopped or died long ago (their health
-- history and anomalies go with them).
--   $1 cutoff timestamptz
DELETE FROM workers WHERE status IN ('dead', 'stopped') AND stopped_at < $1;
