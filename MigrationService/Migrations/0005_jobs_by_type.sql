-- 0005 jobs by type: the list route's and the dashboard's filter by type, newest first, reads an
-- index instead of walking every job. A job's type never changes, so updates stay HOT.
CREATE INDEX jobs_type_id_idx ON jobs (type, id);
