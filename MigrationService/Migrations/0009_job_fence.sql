-- 0009 fence: the token of the Redis lease under which a job last started, or under which a
-- rescuer recorded its attempt abandoned. Tokens come from acquire.lua and only grow, so a start
-- is written only with a token greater than the fence: a worker whose lease was lost (expired
-- and rescued, or taken by another worker that wrote first) changes nothing, even while its
-- start was not yet written. 0 for jobs that never started under such a lease.
ALTER TABLE jobs ADD COLUMN fence bigint NOT NULL DEFAULT 0;
