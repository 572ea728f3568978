-- KEYS[1] state hash, KEYS[2] in-flight sorted set (score = sequence, member = "seq:cost:time")
-- ARGV: cost, declared capacity, declared period (s), needs probe (0/1), ttl (s)
-- Returns {1, seq, "now"} when the points were taken, {0, wait_ms, ""} otherwise.
local now = clock()
local cost = tonumber(ARGV[1])
local s = load(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), now)
local ttl = tonumber(ARGV[5])
-- In-flight entries of a process that died are forgotten after the ttl.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. tostring(s.seq - 100000))
refill(s, now)
if s.calibrated == 0 and s.probe_until > now then
  -- One call (the probe) is out and the server's figures are not known yet: wait for it.
  save(KEYS[1], KEYS[2], s, ttl)
  return {0, 20, ''}
end
local need = math.min(cost, s.cap)
if s.tokens + 1e-9 >= need then
  s.tokens = s.tokens - need
  s.seq = s.seq + 1
  if s.calibrated == 0 then
    -- This call is the probe; another takes over if it has no answer within 5 s.
    s.probe_until = now + 5
    s.probe_seq = s.seq
  end
  redis.call('ZADD', KEYS[2], s.seq, s.seq .. ':' .. cost .. ':' .. now)
  save(KEYS[1], KEYS[2], s, ttl)
  return {1, s.seq, tostring(now)}
end
save(KEYS[1], KEYS[2], s, ttl)
local wait = math.ceil((need - s.tokens) / math.max(rate(s), 0.000001) * 1000)
return {0, math.max(1, math.min(wait, 3600000)), ''}
