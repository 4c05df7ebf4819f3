-- expired-leases: the leases whose deadline has passed, each with its fence token and holder, read
-- in one step, so what the caller then decides about (a rescue, a drop) is these very leases and
-- not one a worker took in between.
--
-- KEYS[1] leases (sorted set)    KEYS[2] lease owners (hash)    KEYS[3] lease fences (hash)
-- ARGV[1] now, in ms (the caller's clock)    ARGV[2] the most leases to return
--
-- Returns id, fence ('0' when missing), holder ('' when missing) for each, earliest deadline first.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local expired = {}
for _, id in ipairs(ids) do
  expired[#expired + 1] = id
  expired[#expired + 1] = redis.call('HGET', KEYS[3], id) or '0'
  expired[#expired + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return expired
