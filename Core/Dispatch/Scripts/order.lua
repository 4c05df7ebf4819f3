-- order: tells one worker to drain (take no new job) or exit (hand its jobs back and stop).
--
-- KEYS[1] closed workers (set)    KEYS[2] idle workers (set)
-- ARGV[1] worker id    ARGV[2] control channel    ARGV[3] the order's message
--
-- Either order closes the worker to acquisition in the same atomic step that sends the message:
-- acquire.lua leases a closed worker nothing, so a job enqueued after the order never goes to it,
-- however late the worker reads the message.
--
-- Returns how many subscribers received the message.
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
return redis.call('PUBLISH', ARGV[2], ARGV[3])
