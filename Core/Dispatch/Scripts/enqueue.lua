-- enqueue: puts jobs in their priority bands and wakes idle workers.
--
-- KEYS[1] high band    KEYS[2] medium band    KEYS[3] low band    (sorted sets)
-- ARGV[1] wake channel (a channel, not a key)
-- ARGV[2..] pairs of (job id, band number: 1 high, 2 medium, 3 low)
--
-- A job's score is the time it was enqueued, in ms by Redis's clock: each band is first in,
-- first out, and the age of its head is known to the fairness policy. Members are UUIDv7 ids,
-- so jobs enqueued in the same millisecond still leave in creation order. NX: pushing a job
-- that is already queued keeps its place, so a repeated push (the reconciler's) is harmless.
--
-- Returns the number of jobs newly queued.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local added = 0
for i = 2, #ARGV, 2 do
  added = added + redis.call('ZADD', KEYS[tonumber(ARGV[i + 1])], 'NX', now, ARGV[i])
end
if added > 0 then
  redis.call('PUBLISH', ARGV[1], added)
end
return added
