-- JobEventHorizonGet: since when the transition log is complete (retention deleted what is older).
SELECT kept_since FROM job_event_horizon;
