-- LeaderTryLock: takes the health monitors' leader lock on this session, if no other session
-- holds it. The lock lasts as long as the session (see LeaderKeepalive.sql).
-- Returns true when this session holds it.
SELECT pg_try_advisory_lock(hashtext('aspirejobs.healthmonitor.leader'));
