/**
 * The Lua scripts behind `RedisPolicyState`: one script per `PolicyState` method, so every method is one
 * atomic round trip. They mirror `memory-policy-state.ts` operation for operation (same IEEE arithmetic in
 * the same order), so both stores answer to the bit. Conventions:
 * - Numbers travel as strings both ways: JS `String(n)` in, `%.17g` out (exact for doubles; Redis would
 *   truncate a Lua number reply to an integer). Infinity is `inf`.
 * - Time is always `ARGV[1]` (`nowMs`), never Redis TIME. TTLs only collect state that is already
 *   semantically gone (a bucket refilled to full, an expired breaker record), plus `SLACK_MS` for skew.
 * - A bucket is a hash `{ l: level, t: updatedAt }`; a missing or unreadable one is full.
 */

/** Extra TTL (ms) beyond the semantic lifetime, for clock skew between instances. */
export const SLACK_MS = 1_000;

const COMMON = `
local now = tonumber(ARGV[1])
local function fmt(x) return string.format('%.17g', x) end
local function refilled(key, cap, rate)
  local cell = redis.call('HMGET', key, 'l', 't')
  local level = tonumber(cell[1])
  local at = tonumber(cell[2])
  if level == nil or at == nil then return cap, nil end
  local elapsed = 0
  if now > at then elapsed = now - at end
  level = level + elapsed * rate
  if level < cap then return level, at end
  return cap, at
end
local function ttl(ms)
  if ms ~= ms or ms >= 9e15 then return nil end
  if ms < 0 then ms = 0 end
  return string.format('%d', math.ceil(ms) + ${SLACK_MS})
end
local function store(key, level, at, cap, rate)
  local t = now
  if at ~= nil and at > now then t = at end
  redis.call('HSET', key, 'l', fmt(level), 't', fmt(t))
  local life = nil
  if rate > 0 then
    local deficit = cap - level
    if deficit < 0 then deficit = 0 end
    life = ttl(deficit / rate + (t - now))
  end
  if life == nil then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, life) end
end
`;

/**
 * takeBuckets. KEYS: bucket keys. ARGV: now, then per take capacity, refillPerMs, amount, floor.
 * Reply: `{'1', level...}` or `{'0', waitMs, blockedIndex (0-based), level...}`.
 */
export const TAKE_BUCKETS_LUA = `${COMMON}
local n = #KEYS
local levels, ats, out = {}, {}, {}
local wait, blocked = 0, -1
for i = 1, n do
  local b = 2 + (i - 1) * 4
  local cap, rate = tonumber(ARGV[b]), tonumber(ARGV[b + 1])
  local amount, floor = tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  local level, at = refilled(KEYS[i], cap, rate)
  levels[i], ats[i] = level, at
  local need = amount + floor
  if level < need then
    local w
    if need > cap or not (rate > 0) then w = math.huge else w = math.max(1, math.ceil((need - level) / rate)) end
    if blocked < 0 or w > wait then wait, blocked = w, i - 1 end
  end
end
if blocked >= 0 then
  out[1], out[2], out[3] = '0', fmt(wait), tostring(blocked)
  for i = 1, n do out[3 + i] = fmt(levels[i]) end
  return out
end
out[1] = '1'
for i = 1, n do
  local b = 2 + (i - 1) * 4
  local cap, rate, amount = tonumber(ARGV[b]), tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
  local level = levels[i] - amount
  store(KEYS[i], level, ats[i], cap, rate)
  out[1 + i] = fmt(level)
end
return out
`;

/**
 * adjustBuckets (mode `adjust`: min(capacity, level + delta)) and lowerBuckets (mode `lower`:
 * min(reported, level)). KEYS: bucket keys. ARGV: now, mode, then per bucket capacity, refillPerMs, value.
 * Reply: the new levels.
 */
export const CHANGE_BUCKETS_LUA = `${COMMON}
local lower = ARGV[2] == 'lower'
local out = {}
for i = 1, #KEYS do
  local b = 3 + (i - 1) * 3
  local cap, rate, value = tonumber(ARGV[b]), tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
  local level, at = refilled(KEYS[i], cap, rate)
  local changed
  if lower then changed = math.min(value, level) else changed = math.min(cap, level + value) end
  store(KEYS[i], changed, at, cap, rate)
  out[i] = fmt(changed)
end
return out
`;

/** readBuckets (writes nothing). KEYS: bucket keys. ARGV: now, then per bucket capacity, refillPerMs. */
export const READ_BUCKETS_LUA = `${COMMON}
local out = {}
for i = 1, #KEYS do
  local b = 2 + (i - 1) * 2
  local level = refilled(KEYS[i], tonumber(ARGV[b]), tonumber(ARGV[b + 1]))
  out[i] = fmt(level)
end
return out
`;

/** Fields of a stored breaker record, in the order `WRITE_BREAKER_LUA` takes them from ARGV[3..8]. */
export const BREAKER_FIELDS = ['openUntil', 'openCount', 'reason', 'long', 'updatedAt', 'expiresAt'] as const;

/**
 * writeBreaker: compare-and-set. KEYS: record key, version counter key. ARGV: now, expectedVersion, then
 * the `BREAKER_FIELDS`. A record is live while expiresAt > now. Reply: `{'1', version}` on success, else
 * `{'0'}` (no live record) or `{'0', field, value, ...}` (the live record, with its version).
 */
export const WRITE_BREAKER_LUA = `
local now = tonumber(ARGV[1])
local current = redis.call('HGETALL', KEYS[1])
local version = 0
local live = false
if #current > 0 then
  local record = {}
  for i = 1, #current, 2 do record[current[i]] = current[i + 1] end
  local expiresAt, stored = tonumber(record['expiresAt']), tonumber(record['version'])
  if expiresAt ~= nil and stored ~= nil and expiresAt > now then version, live = stored, true end
end
if version ~= tonumber(ARGV[2]) then
  local out = { '0' }
  if live then for i = 1, #current do out[i + 1] = current[i] end end
  return out
end
local nextVersion = redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'openUntil', ARGV[3], 'openCount', ARGV[4], 'reason', ARGV[5], 'long', ARGV[6],
  'updatedAt', ARGV[7], 'expiresAt', ARGV[8], 'version', tostring(nextVersion))
local life = tonumber(ARGV[8]) - now
if life ~= life or life >= 9e15 then redis.call('PERSIST', KEYS[1]) else
  if life < 0 then life = 0 end
  redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil(life) + ${SLACK_MS}))
end
return { '1', tostring(nextVersion) }
`;

/**
 * setCooldown: keeps the later instant and announces a lengthened one. KEYS: the cool-down key. ARGV: now,
 * untilMs, the channel, the key as readers name it. A stored instant at or before `now` counts as absent.
 * Publishes `{"key":…,"untilMs":…}` on the channel only when it wrote. Reply: the instant now stored.
 */
export const SET_COOLDOWN_LUA = `
local now, untilMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local function fmt(x) return string.format('%.17g', x) end
local stored = tonumber(redis.call('GET', KEYS[1]) or '')
if stored ~= nil and stored <= now then stored = nil end
if stored ~= nil and stored >= untilMs then return fmt(stored) end
if untilMs <= now then return fmt(untilMs) end
redis.call('SET', KEYS[1], fmt(untilMs), 'PX', string.format('%d', math.ceil(untilMs - now) + ${SLACK_MS}))
redis.call('PUBLISH', ARGV[3], '{"key":' .. cjson.encode(ARGV[4]) .. ',"untilMs":' .. fmt(untilMs) .. '}')
return fmt(untilMs)
`;
