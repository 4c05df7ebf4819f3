-- 0010 activity of attempts recorded whole: a short job's start and outcome are written in one
-- statement (JobStartAndFinishIfQueued), so its row goes from queued straight to its outcome and
-- never shows running. An attempt starts exactly when attempts grows, whatever the row's status
-- becomes; the start is counted in the bucket of its start, the outcome in the bucket of its end.
-- The wait is measured from when the job was due before this change (a retry moves scheduled_at).
CREATE OR REPLACE FUNCTION job_counts_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_count_changes (status, band, delta)
    SELECT status, band, sum(delta)
    FROM (SELECT status, job_band(effective_priority) AS band, -1 AS delta FROM old_jobs
          UNION ALL
          SELECT status, job_band(effective_priority), 1 FROM new_jobs) AS moved
    GROUP BY status, band
    HAVING sum(delta) <> 0;

    INSERT INTO job_activity_changes (bucket, started, wait_ms, completed, retried, dead_lettered, cancelled)
    SELECT bucket, sum(started), sum(wait_ms), sum(completed), sum(retried), sum(dead_lettered), sum(cancelled)
    FROM (
        -- Attempts started: written alone (queued to running) or with their outcome.
        SELECT job_activity_bucket(n.started_at) AS bucket, 1 AS started,
               greatest(0, (extract(epoch FROM n.started_at - o.scheduled_at) * 1000)::bigint) AS wait_ms,
               0 AS completed, 0 AS retried, 0 AS dead_lettered, 0 AS cancelled
        FROM new_jobs n JOIN old_jobs o ON o.id = n.id
        WHERE n.attempts > o.attempts
        UNION ALL
        -- Attempts finished (out of running, or recorded whole), and jobs cancelled before they ran.
        SELECT job_activity_bucket(coalesce(CASE WHEN o.status = 'running' OR n.attempts > o.attempts THEN n.attempt_finished_at END,
                                            n.completed_at)),
               0, 0,
               (n.status = 'completed')::integer,
               (n.status = 'scheduled')::integer,
               (n.status = 'dead_lettered')::integer,
               (n.status = 'cancelled')::integer
        FROM new_jobs n JOIN old_jobs o ON o.id = n.id
        WHERE n.status <> o.status
          AND (n.status IN ('completed', 'dead_lettered', 'cancelled')
               OR (n.status = 'scheduled' AND (o.status = 'running' OR n.attempts > o.attempts)))
    ) AS activity
    WHERE bucket IS NOT NULL   -- a hand-made update that gave no time (a fixture's) counts nowhere
    GROUP BY bucket;
    RETURN NULL;
END $$;
