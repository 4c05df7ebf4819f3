-- 0002 workflows: dependencies that really run. A job waits until every parent completed; its
-- last parent's finishing transaction releases it. What happens when a parent ends dead-lettered
-- or cancelled is the dependent's own policy. Priority inheritance keeps effective_priority.

-- What a job does when a job it depends on ends dead_lettered or cancelled:
--   cancel  it is cancelled too, naming the parent, and so on down the graph (the default)
--   run     it is released at once and runs anyway
--   ignore  the failed parent is dropped from its wait
ALTER TABLE jobs
    ADD COLUMN on_dependency_failure text NOT NULL DEFAULT 'cancel'
        CHECK (on_dependency_failure IN ('cancel', 'run', 'ignore')),
    -- How many parents it still waits for: decremented under the row's lock by each parent's
    -- finishing transaction, so parents finishing at once can neither miss nor double-count it.
    ADD COLUMN dependencies_pending integer NOT NULL DEFAULT 0 CHECK (dependencies_pending >= 0),
    -- The parent whose failure cancelled it: requeueing that parent brings it back.
    ADD COLUMN cancelled_by_dependency uuid,
    -- Some job depends on it. Set on its row, under its lock, by the create that adds the
    -- dependent, so the one finishing statement sees it (re-read under the lock) even when the
    -- dependent was created while the job finished: a job that no job depends on is finished in
    -- one statement, one that some job does is finished together with its dependents.
    ADD COLUMN has_dependents boolean NOT NULL DEFAULT false;

UPDATE jobs SET has_dependents = true WHERE id IN (SELECT depends_on_id FROM job_dependencies);

-- Jobs created before this migration waited with no count and no statement to release them.
UPDATE jobs j
SET dependencies_pending = (SELECT count(*) FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_id
                            WHERE d.job_id = j.id AND p.status <> 'completed')
WHERE j.status = 'waiting';
-- Those whose parents all completed are due (the promoter queues them) or belong in a band (the
-- reconciler pushes them). Those with a failed parent wait, as before, until it is requeued or
-- they are cancelled.
UPDATE jobs SET status = CASE WHEN scheduled_at > now() THEN 'scheduled' ELSE 'queued' END
WHERE status = 'waiting' AND dependencies_pending = 0;

ALTER TABLE jobs
    ADD CONSTRAINT jobs_waiting_has_pending_check CHECK (status <> 'waiting' OR dependencies_pending > 0),
    ADD CONSTRAINT jobs_cancelled_by_dependency_check CHECK (cancelled_by_dependency IS NULL OR status = 'cancelled');

-- Cascaded cancellations of a parent, to bring them back when it is requeued.
CREATE INDEX jobs_cancelled_by_dependency_idx ON jobs (cancelled_by_dependency) WHERE cancelled_by_dependency IS NOT NULL;

COMMENT ON TABLE job_dependencies IS
    'The dependency DAG: job_id runs after depends_on_id completes. Edges to existing jobs cannot close a cycle; the Api refuses a batch whose own edges would.';
