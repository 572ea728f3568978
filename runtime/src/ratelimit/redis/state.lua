-- Shared by the three scripts (prepended to each): the bucket's state in a hash, the same
-- arithmetic as runtime/src/ratelimit/bucket.rs, on Redis's own clock (TIME), so processes on
-- machines with skewed clocks agree.
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end

local function load(key, declared_capacity, declared_period, needs_probe, now)
  local v = redis.call('HMGET', key, 'cap', 'tokens', 'last', 'declared', 'low', 'high',
    'calibrated', 'probe_until', 'probe_seq', 'seq', 'newest')
  local s = {}
  s.cap = tonumber(v[1]) or math.max(declared_capacity, 1)
  s.tokens = tonumber(v[2]) or s.cap
  s.last = tonumber(v[3]) or now
  s.declared = tonumber(v[4]) or (s.cap / math.max(declared_period, 0.001))
  s.low = tonumber(v[5]) or 0
  s.high = tonumber(v[6]) or -1 -- -1: no upper bound known
  s.calibrated = tonumber(v[7]) or (needs_probe == 1 and 0 or 1)
  s.probe_until = tonumber(v[8]) or 0
  s.probe_seq = tonumber(v[9]) or -1
  s.seq = tonumber(v[10]) or 0
  s.newest = tonumber(v[11]) or -1
  return s
end

local function rate(s)
  if s.low > 0 then return s.low end
  if s.high >= 0 then return math.min(s.declared, s.high) end
  return s.declared
end

local function refill(s, now)
  local elapsed = math.max(0, now - s.last)
  s.tokens = math.min(s.cap, s.tokens + elapsed * rate(s))
  s.last = now
end

local function save(key, inflight, s, ttl)
  redis.call('HSET', key, 'cap', s.cap, 'tokens', s.tokens, 'last', s.last, 'declared', s.declared,
    'low', s.low, 'high', s.high, 'calibrated', s.calibrated, 'probe_until', s.probe_until,
    'probe_seq', s.probe_seq, 'seq', s.seq, 'newest', s.newest)
  redis.call('EXPIRE', key, ttl)
  redis.call('EXPIRE', inflight, ttl)
end
