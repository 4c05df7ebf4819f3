-- RestoreRecordsCreate: the states a restore would put jobs back in, for the length of its
-- transaction. seq orders a snapshot chain: a later record of a job replaces an earlier one, and
-- a record that is not pending (finished or deleted in an incremental snapshot) removes the job.
CREATE TEMP TABLE restore_records (
    seq                integer NOT NULL,
    job_id             uuid NOT NULL,
    pending            boolean NOT NULL,
    status             text NOT NULL,
    priority           smallint NOT NULL,
    effective_priority smallint NOT NULL,
    attempts           integer NOT NULL,
    failures           integer NOT NULL,
    crashes            integer NOT NULL,
    run_at             timestamptz NOT NULL
) ON COMMIT DROP;
