-- enqueue: puts jobs in their priority bands and wakes as many idle workers as jobs were added.
--
-- KEYS[1] high band    KEYS[2] medium band    KEYS[3] low band    (sorted sets)
-- KEYS[4] enqueue clock (the last score given)
-- KEYS[5] idle workers (set of worker ids, kept by acquire.lua)
-- KEYS[6] tickets (hash: job id -> what a worker needs to run it, see JobTicket.cs)
-- KEYS[7] leases (sorted set: job id -> lease deadline)
-- ARGV[1] the prefix of the workers' wake channels (a channel per worker: prefix .. worker id)
-- ARGV[2] now, in ms (the caller's clock)
-- ARGV[3] when the tickets may no longer be added, in microseconds since the epoch, compared with
--         Redis's clock (0 when none are given)
-- ARGV[4..] triples of (job id, band number: 1 high, 2 medium, 3 low, ticket or '' for none)
--
-- Scores order each band first in, first out and tell the fairness policy how long its head
-- has waited: score = enqueue time in ms * 4096, raised when needed to one
-- more than the last score given, so scores never repeat or go back even within a millisecond
-- or when the clock steps back. (ms * 4096 stays below 2^53, exact in a double, until 2248.)
-- A push adds a job only where Redis holds it nowhere: in no band (a job already queued keeps
-- its place and band, so a repeated push is harmless) and under no lease (a worker took it from
-- an earlier push and may be running it, its start not yet written: adding it again would hand
-- it to a second worker). Every writer that ends a lease and pushes the job back (a finish, a
-- rescue) ends the lease first. Late pushes meet both: the reconciler's and the Api's retries of
-- a failed push, racing a push of the same job's own.
-- A ticket is kept only with the entry it came with: a push that adds nothing leaves it out, and
-- so does a create's push that lands after ARGV[3] (see NewJobTickets.cs): the reconciler may have
-- pushed the job by then, and a worker taken, run and released it; a ticket would start it again
-- on Redis alone, a run PostgreSQL records nowhere (it refuses a first attempt's start from a job
-- that has counted one, see JobStart.cs). Without a ticket a worker reads the job's row first,
-- finds it no longer queued, and drops it. The reconciler's and the Api's late pushes carry none.
--
-- Only idle workers are woken, one per job added, each on its own channel: a busy worker comes
-- back for more as soon as a slot frees, and waking every worker for every job would only make
-- them race for it. A worker that no longer listens (it died) is dropped and the next one woken.
--
-- Returns the number of jobs newly queued.
local score = tonumber(ARGV[2]) * 4096
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
if score <= last then score = last + 1 end
local tickets_by = tonumber(ARGV[3])
local tickets_kept = false
if tickets_by > 0 then
  local time = redis.call('TIME')
  tickets_kept = tonumber(time[1]) * 1000000 + tonumber(time[2]) < tickets_by
end
local added = 0
for i = 4, #ARGV, 3 do
  local id = ARGV[i]
  local new = 0
  if not (redis.call('ZSCORE', KEYS[1], id) or redis.call('ZSCORE', KEYS[2], id)
          or redis.call('ZSCORE', KEYS[3], id) or redis.call('ZSCORE', KEYS[7], id)) then
    new = redis.call('ZADD', KEYS[tonumber(ARGV[i + 1])], score, id)
  end
  added = added + new
  if new == 1 and tickets_kept and ARGV[i + 2] ~= '' then
    redis.call('HSET', KEYS[6], id, ARGV[i + 2])
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
