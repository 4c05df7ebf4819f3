-- release: ends leases, once their jobs' outcomes are recorded in PostgreSQL or the jobs were
-- found not startable. A lease is named by its job and its fence token, and only the worker that
-- holds that very lease can release it: a lease another worker took over is left alone, and so
-- is a newer lease of the same job that this worker took after losing the one named (Redis lost
-- its data, or the lease expired), which it still runs under.
--
-- KEYS[1] leases (sorted set)    KEYS[2] lease owners (hash)    KEYS[3] lease fences (hash)
-- ARGV[1] worker id              ARGV[2..] job id, fence token (pairs)
--
-- Returns the number of leases released.
local released = 0
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[2], id) == ARGV[1] and redis.call('HGET', KEYS[3], id) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[1], id)
    released = released + 1
  end
end
return released
