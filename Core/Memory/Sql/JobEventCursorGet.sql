-- JobEventCursorGet: how far a reader of job_events has got; no row means from the start.
--   $1 name text
SELECT last_event_id FROM job_event_cursors WHERE name = $1;
