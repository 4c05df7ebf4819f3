-- acquire: takes up to ARGV[2] queued jobs for one worker, choosing bands by the fairness
-- policy, and leases each to the worker in the same atomic step.
--
-- KEYS[1] high band    KEYS[2] medium band    KEYS[3] low band    (sorted sets)
-- KEYS[4] leases (sorted set: job id -> lease deadline ms)
-- KEYS[5] lease owners (hash: job id -> worker id)
-- KEYS[6] fairness cursor (counter)
-- KEYS[7] idle workers (set)
-- KEYS[8] closed workers (set: ordered to drain or exit, see order.lua)
-- KEYS[9] fence clock (the last fence token given)
-- KEYS[10] lease fences (hash: job id -> fence token of its lease)
-- KEYS[11] tickets (hash: job id -> what a worker needs to run it; taken with the lease)
-- KEYS[12] this worker's dead mark (set when the health monitor declared it dead)
-- KEYS[13] aging's turn ('1' when the last job taken was taken by aging)
-- ARGV[1] worker id    ARGV[2] most jobs to take    ARGV[3] lease length ms
-- ARGV[4] high weight  ARGV[5] medium weight        ARGV[6] low weight
-- ARGV[7] starvation limit ms    ARGV[8] now, in ms (the caller's clock)
--
-- The policy, for each job taken:
--   1. Aging: if the oldest job of the medium or low band has waited the starvation limit or
--      longer, take the oldest such job, unless the job taken before this one (by any worker)
--      was taken so. This bounds how long any queued job can wait while workers are taking jobs
--      at all; taking every other job at most, it cannot starve the high band in turn, as a
--      backlog of old jobs, each starved in its turn, would if aging took every job.
--   2. Otherwise a weighted cycle: the cursor walks high, medium and low in proportion to their
--      weights. An empty band passes its turn to the first non-empty band, highest first.
-- Band sizes, head ages and the cursor are read once per call and kept current as jobs are
-- taken, as far as aging needs (a band's head age is read again only after a starved head is
-- taken), so a large acquisition costs a few commands per job.
--
-- A worker that got fewer jobs than it asked for has drained the bands: it is marked idle, in
-- the same atomic step, so the next enqueue wakes it (enqueue.lua); one that got all it asked
-- for is busy and will be back.
--
-- Each lease gets a fence token: Redis's clock in microseconds, made strictly greater than the
-- last token given. Tokens only grow, across restarts of Redis too (its clock goes on), so a
-- start written to PostgreSQL under a token beats every start under an older lease of the same
-- job (see JobSetRunningIfQueued.sql). The token is also when the lease began.
--
-- Returns id, token, ticket (or '' when the job has none) for each job taken, oldest first within
-- each band; an empty array when all bands are empty, or the worker is closed or declared dead.
local now = tonumber(ARGV[8])
local worker = ARGV[1]
if redis.call('SISMEMBER', KEYS[8], worker) == 1 or redis.call('EXISTS', KEYS[12]) == 1 then
  return {}
end
local wanted = tonumber(ARGV[2])
local deadline = now + tonumber(ARGV[3])
local weights = { tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]) }
local cycle = weights[1] + weights[2] + weights[3]
local starvation = tonumber(ARGV[7])
local sizes = { redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]) }
local cursor = tonumber(redis.call('GET', KEYS[6]) or '0')
local aged_last = redis.call('GET', KEYS[13]) == '1'

-- Bands are scored by enqueue time in ms * 4096 (see enqueue.lua).
local function head_age(band)
  if sizes[band] == 0 then return -1 end
  local head = redis.call('ZRANGE', KEYS[band], 0, 0, 'WITHSCORES')
  return now - tonumber(head[2]) / 4096
end
local ages = { 0, head_age(2), head_age(3) }

local function starved_band()
  if ages[3] >= starvation and ages[3] >= ages[2] then return 3 end
  if ages[2] >= starvation then return 2 end
  return nil
end

local function cycle_band()
  cursor = cursor + 1
  local position = cursor % cycle
  local band
  if position < weights[1] then band = 1
  elseif position < weights[1] + weights[2] then band = 2
  else band = 3 end
  if sizes[band] > 0 then return band end
  for other = 1, 3 do
    if sizes[other] > 0 then return other end
  end
  return nil
end

local time = redis.call('TIME')
local fence = math.max(tonumber(time[1]) * 1000000 + tonumber(time[2]), tonumber(redis.call('GET', KEYS[9]) or '0') + 1)

local taken = {}
local count = 0
while count < wanted do
  local band = nil
  if not aged_last then band = starved_band() end
  aged_last = band ~= nil
  band = band or cycle_band()
  if band == nil then break end
  local popped = redis.call('ZPOPMIN', KEYS[band])
  local id = popped[1]
  sizes[band] = sizes[band] - 1
  -- The band's next head is no older than the one taken, so only a head that was starved needs
  -- its age read again: a younger one cannot have become starved.
  if band > 1 and ages[band] >= starvation then ages[band] = head_age(band) end
  redis.call('ZADD', KEYS[4], deadline, id)
  redis.call('HSET', KEYS[5], id, worker)
  local token = string.format('%.0f', fence)
  redis.call('HSET', KEYS[10], id, token)
  local ticket = redis.call('HGET', KEYS[11], id)
  if ticket then redis.call('HDEL', KEYS[11], id) end
  taken[#taken + 1] = id
  taken[#taken + 1] = token
  taken[#taken + 1] = ticket or ''
  count = count + 1
  fence = fence + 1
end
redis.call('SET', KEYS[6], cursor)
redis.call('SET', KEYS[13], aged_last and '1' or '0')
if count > 0 then
  redis.call('SET', KEYS[9], string.format('%.0f', fence - 1))
end
if count < wanted then
  redis.call('SADD', KEYS[7], worker)
else
  redis.call('SREM', KEYS[7], worker)
end
return taken
