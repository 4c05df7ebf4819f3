-- move: puts queued jobs whose effective priority changed into the band it now falls in,
-- keeping their place in time (their score), so a boosted job is not sent to the back.
-- A job found in no band (leased, or its push still to come) is left alone.
--
-- KEYS[1] high band    KEYS[2] medium band    KEYS[3] low band    (sorted sets)
-- ARGV    pairs of (job id, band number: 1 high, 2 medium, 3 low)
--
-- Returns the number of jobs moved.
local moved = 0
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  local target = tonumber(ARGV[i + 1])
  for band = 1, 3 do
    if band ~= target then
      local score = redis.call('ZSCORE', KEYS[band], id)
      if score then
        redis.call('ZREM', KEYS[band], id)
        redis.call('ZADD', KEYS[target], score, id)
        moved = moved + 1
      end
    end
  end
end
return moved
