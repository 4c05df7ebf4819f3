-- JobEventCursorSet: records how far a reader of job_events has got. Never moves it back: two
-- indexers that overlap (one starting while the other stops) cannot undo each other's progress.
--   $1 name text    $2 last_event_id bigint    $3 now timestamptz
INSERT INTO job_event_cursors (name, last_event_id, updated_at)
VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE
SET last_event_id = greatest(job_event_cursors.last_event_id, excluded.last_event_id),
    updated_at = excluded.updated_at;
