-- heartbeat: a worker says it is alive, and extends the leases on the jobs it runs.
--
-- KEYS[1] the worker's heartbeat key    KEYS[2] leases (sorted set)    KEYS[3] lease owners (hash)
-- KEYS[4] lease fences (hash)
-- ARGV[1] worker id    ARGV[2] heartbeat timeout ms (the key's time to live)
-- ARGV[3] lease length ms    ARGV[4] now, in ms (the caller's clock)
-- ARGV[5..] job id, fence token (pairs): the leases the worker runs its jobs under
--
-- The key expires on its own when heartbeats stop: the health monitor declares a worker dead
-- once its key is gone. Only leases this worker still holds, under the fence named, are extended.
--
-- Returns the number of leases extended.
local now = tonumber(ARGV[4])
redis.call('SET', KEYS[1], now, 'PX', ARGV[2])
local deadline = now + tonumber(ARGV[3])
local extended = 0
for i = 5, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[3], id) == ARGV[1] and redis.call('HGET', KEYS[4], id) == ARGV[i + 1] then
    extended = extended + redis.call('ZADD', KEYS[2], 'XX', 'CH', deadline, id)
  end
end
return extended
