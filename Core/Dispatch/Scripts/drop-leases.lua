-- drop-leases: ends leases whatever worker holds them: leases of jobs PostgreSQL says are no
-- longer running (the worker died before releasing them, or Redis kept them through a
-- failover), or whose attempt a rescuer recorded abandoned.
--
-- KEYS[1] leases (sorted set)    KEYS[2] lease owners (hash)    KEYS[3] lease fences (hash)
-- ARGV    job ids
--
-- Returns the number of leases dropped.
local dropped = 0
for i = 1, #ARGV do
  dropped = dropped + redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('HDEL', KEYS[3], ARGV[i])
end
return dropped
