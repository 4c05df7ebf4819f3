-- JobGetUnrecordedLeased: of jobs whose Redis lease a rescuer found abandoned (expired, or held
-- by a worker declared dead), those the lease may have started without PostgreSQL knowing: still
-- queued, with a fence older than the lease's token. A rescuer records each one's attempt
-- abandoned under that token, start and outcome in one statement (JobStartAndFinishIfQueued), so
-- the lease's worker, if only paused, can no longer record it.
--   $1 ids uuid[]    $2 fences bigint[] (the lease's token of each)
-- Returns id, crashes, attempts.
SELECT j.id, j.crashes, j.attempts
FROM unnest($1::uuid[], $2::bigint[]) AS l(id, fence)
JOIN jobs j ON j.id = l.id
-- id = ANY: one key per job; the rest one condition no index can serve (see JobGetStartable.sql).
WHERE j.id = ANY($1) AND (j.status = 'queued' AND j.fence < l.fence) IS TRUE;
