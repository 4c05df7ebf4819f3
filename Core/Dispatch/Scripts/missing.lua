-- missing: which of these jobs Redis does not hold, in any band or under a lease. The
-- reconciler pushes those back.
--
-- KEYS[1] high band    KEYS[2] medium band    KEYS[3] low band    KEYS[4] leases
-- ARGV    job ids
--
-- Returns the ids held nowhere.
local missing = {}
for i = 1, #ARGV do
  local id = ARGV[i]
  if not redis.call('ZSCORE', KEYS[1], id) and not redis.call('ZSCORE', KEYS[2], id)
     and not redis.call('ZSCORE', KEYS[3], id) and not redis.call('ZSCORE', KEYS[4], id) then
    missing[#missing + 1] = id
  end
end
return missing
