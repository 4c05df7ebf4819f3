-- enqueue: puts jobs in their priority bands and wakes as many idle workers as jobs were added.
--
-- KEYS[1] high band    KEYS[2] medium band    KEYS[3] low band    (sorted sets)
-- KEYS[4] enqueue clock (the last score given)
-- KEYS[5] idle workers (set of worker ids, kept by acquire.lua)
-- KEYS[6] tickets (hash: job id -> what a worker needs to run it, see JobTicket.cs)
-- KEYS[7] leases (sorted set: job id -> lease deadline)
-- ARGV[1] the prefix of the workers' wake channels (a channel per worker: prefix .. worker id)
-- ARGV[2] now, in ms (the caller's clock)
-- ARGV[3] '1' to leave out jobs under a lease (a push that restores what Redis lost), else '0'
-- ARGV[4..] triples of (job id, band number: 1 high, 2 medium, 3 low, ticket or '' for none)
--
-- Scores order each band first in, first out and tell the fairness policy how long its head
-- has waited: score = enqueue time in ms * 4096, raised when needed to one
-- more than the last score given, so scores never repeat or go back even within a millisecond
-- or when the clock steps back. (ms * 4096 stays below 2^53, exact in a double, until 2248.)
-- NX: pushing a job that is already queued keeps its place, so a repeated push is harmless.
-- A ticket is kept only with the entry it came with: a push that finds its job already in a band
-- (the reconciler's or a rescue's got there first) leaves its ticket out. A ticket that still
-- reaches a later attempt (a late push, after a worker took the job) starts nothing recorded:
-- PostgreSQL refuses a first attempt's start from a job that has counted one (see JobStart.cs).
-- A restoring push (the reconciler's, the Api's retry of a failed push) is late by nature, and
-- carries no ticket: it adds only a job Redis holds nowhere, neither in a band nor under a lease,
-- so it cannot hand a job that a worker is running to a second one. A worker that takes a job
-- so restored after it finished reads its row, finds it no longer queued, and drops it.
-- Other pushes follow a change PostgreSQL has just committed for the job, and add it as they are.
--
-- Only idle workers are woken, one per job added, each on its own channel: a busy worker comes
-- back for more as soon as a slot frees, and waking every worker for every job would only make
-- them race for it. A worker that no longer listens (it died) is dropped and the next one woken.
--
-- Returns the number of jobs newly queued.
local score = tonumber(ARGV[2]) * 4096
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
if score <= last then score = last + 1 end
local added = 0
local restoring = ARGV[3] == '1'
for i = 4, #ARGV, 3 do
  local new = 0
  if not (restoring and redis.call('ZSCORE', KEYS[7], ARGV[i])) then
    new = redis.call('ZADD', KEYS[tonumber(ARGV[i + 1])], 'NX', score, ARGV[i])
  end
  added = added + new
  if new == 1 and ARGV[i + 2] ~= '' then
    redis.call('HSET', KEYS[6], ARGV[i], ARGV[i + 2])
  end
  score = score + 1
end
redis.call('SET', KEYS[4], score - 1)

local woken = 0
while woken < added do
  local worker = redis.call('SPOP', KEYS[5])
  if not worker then break end
  if redis.call('PUBLISH', ARGV[1] .. worker, 1) > 0 then
    woken = woken + 1
  end
end
return added
