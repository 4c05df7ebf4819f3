-- heartbeat: a worker says it is alive, and extends the leases on the jobs it runs.
--
-- KEYS[1] the worker's heartbeat key    KEYS[2] leases (sorted set)    KEYS[3] lease owners (hash)
-- ARGV[1] worker id    ARGV[2] heartbeat timeout ms (the key's time to live)
-- ARGV[3] lease length ms    ARGV[4..] ids of the jobs the worker runs
--
-- The key expires on its own when heartbeats stop: the health monitor declares a worker dead
-- once its key is gone. Only leases this worker still holds are extended.
--
-- Returns Redis's time in ms.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('SET', KEYS[1], now, 'PX', ARGV[2])
local deadline = now + tonumber(ARGV[3])
for i = 4, #ARGV do
  if redis.call('HGET', KEYS[3], ARGV[i]) == ARGV[1] then
    redis.call('ZADD', KEYS[2], 'XX', deadline, ARGV[i])
  end
end
return now
