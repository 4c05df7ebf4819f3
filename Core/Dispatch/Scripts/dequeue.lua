-- dequeue: takes jobs out of every band (a cancelled job, or an entry the reconciler found
-- that PostgreSQL says does not belong in a band).
--
-- KEYS[1] high band    KEYS[2] medium band    KEYS[3] low band    KEYS[4] tickets (hash)
-- ARGV    job ids
--
-- Returns the number of entries removed.
local removed = 0
for i = 1, #ARGV do
  removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  removed = removed + redis.call('ZREM', KEYS[2], ARGV[i])
  removed = removed + redis.call('ZREM', KEYS[3], ARGV[i])
  redis.call('HDEL', KEYS[4], ARGV[i])
end
return removed
