-- KEYS[1] state hash, KEYS[2] in-flight set. ARGV: seq.
-- The request ended without an answer: it no longer counts as in flight (its points stay
-- spent), and if it was the probe, the next caller may probe.
local seq = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], seq, seq)
local probe_seq = tonumber(redis.call('HGET', KEYS[1], 'probe_seq') or '-1')
if probe_seq == seq then
  redis.call('HSET', KEYS[1], 'probe_until', 0)
end
return 0
