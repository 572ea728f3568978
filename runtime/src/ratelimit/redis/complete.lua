-- KEYS[1] state hash, KEYS[2] in-flight set
-- ARGV: seq, declared capacity, declared period, needs probe, ttl, sent (epoch s),
--       limit, remaining, reset (each "" when absent)
local now = clock()
local seq = tonumber(ARGV[1])
local s = load(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), now)
local ttl = tonumber(ARGV[5])
local sent = tonumber(ARGV[6])
local limit, remaining, reset = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
refill(s, now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], seq, seq)
-- An answer ends the probe, with figures or without (then the declared ones stay).
s.calibrated = 1
s.probe_until = 0
if limit == nil and remaining == nil and reset == nil then
  save(KEYS[1], KEYS[2], s, ttl)
  return 0
end
if limit ~= nil and limit > 0 and limit ~= s.cap then
  s.declared = s.declared * limit / s.cap
  s.cap = limit
  s.tokens = math.min(s.tokens, limit)
  s.low = 0
  s.high = -1
end
if limit ~= nil and remaining ~= nil and reset ~= nil then
  local deficit = math.max(0, limit - remaining)
  local longest = reset - sent
  if deficit >= 2 and longest > 0 then
    local low = (deficit - 1) / longest
    if s.high >= 0 and low > s.high * (1 + 1e-9) then
      s.high = -1
      s.low = low
    else
      s.low = math.max(s.low, low)
    end
  end
  local shortest = reset - 1 - now
  if deficit >= 1 and shortest > 0 then
    local high = deficit / shortest
    if high < s.low * (1 - 1e-9) then s.low = 0 end
    if s.high < 0 or high < s.high then s.high = high end
  end
end
if s.newest >= 0 and seq < s.newest then
  -- Older than an answer already seen: stale.
  save(KEYS[1], KEYS[2], s, ttl)
  return 1
end
s.newest = seq
if remaining ~= nil then
  local later = 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. seq, '+inf')) do
    local c = string.match(m, '^%d+:(%d+):')
    later = later + (tonumber(c) or 0)
  end
  s.tokens = math.min(s.tokens, remaining - later)
end
save(KEYS[1], KEYS[2], s, ttl)
return 2
