-- release: ends leases, once their jobs' outcomes are recorded in PostgreSQL or the jobs were
-- found not startable. Only the worker that holds a lease can release it: a lease taken over
-- by another worker is left alone.
--
-- KEYS[1] leases (sorted set)    KEYS[2] lease owners (hash)    KEYS[3] lease fences (hash)
-- ARGV[1] worker id              ARGV[2..] job ids
--
-- Returns the number of leases released.
local released = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
    redis.call('ZREM', KEYS[1], ARGV[i])
    released = released + 1
  end
end
return released
