-- enqueue: puts jobs in their priority bands and wakes idle workers.
--
-- KEYS[1] high band    KEYS[2] medium band    KEYS[3] low band    (sorted sets)
-- KEYS[4] enqueue clock (the last score given)
-- ARGV[1] wake channel (a channel, not a key)
-- ARGV[2..] pairs of (job id, band number: 1 high, 2 medium, 3 low)
--
-- Scores order each band first in, first out and tell the fairness policy how long its head
-- has waited: score = enqueue time in ms (Redis's clock) * 4096, raised when needed to one
-- more than the last score given, so scores never repeat or go back even within a millisecond
-- or when the clock steps back. (ms * 4096 stays below 2^53, exact in a double, until 2248.)
-- NX: pushing a job that is already queued keeps its place, so a repeated push is harmless.
--
-- Returns the number of jobs newly queued.
local time = redis.call('TIME')
local score = (tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)) * 4096
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
if score <= last then score = last + 1 end
local added = 0
for i = 2, #ARGV, 2 do
  added = added + redis.call('ZADD', KEYS[tonumber(ARGV[i + 1])], 'NX', score, ARGV[i])
  score = score + 1
end
redis.call('SET', KEYS[4], score - 1)
if added > 0 then
  redis.call('PUBLISH', ARGV[1], added)
end
return added
