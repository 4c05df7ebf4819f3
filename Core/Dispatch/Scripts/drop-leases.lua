-- drop-leases: ends leases whatever worker holds them: leases of jobs PostgreSQL says are no
-- longer running (the worker died before releasing them, or Redis kept them through a
-- failover), or whose attempt a rescuer recorded abandoned. Each is named by its job and the
-- fence token of the lease the caller decided about: that lease, or an older one left behind,
-- is dropped, never a newer lease a worker took since (after a FLUSHALL, say), which may be
-- running the job now. A lease whose fence is missing is dropped.
--
-- KEYS[1] leases (sorted set)    KEYS[2] lease owners (hash)    KEYS[3] lease fences (hash)
-- ARGV[1..] job id, fence token (pairs)
--
-- Returns the number of leases dropped.
local dropped = 0
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  local fence = redis.call('HGET', KEYS[3], id)
  if not fence or tonumber(fence) <= tonumber(ARGV[i + 1]) then
    dropped = dropped + redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
  end
end
return dropped
