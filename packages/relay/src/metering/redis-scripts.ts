/**
 * The Lua scripts of `RedisUsageStore`. Each runs atomically on the server, so relays racing
 * for one tenant's last tokens are served one after the other; every key a script touches
 * carries the tenant's hash tag, so on Redis Cluster they live in one slot. Counters are
 * integers (tokens, audio milliseconds, µUSD) and expire at their window's end. The expiry is
 * set by the change that makes a counter (whose value is then that change, also when it was
 * at zero), not by every change: a counter's window, and so its end, never changes.
 */

/**
 * Reserves the expected input and up to `wanted` output tokens. KEYS: the counter of each cap
 * (n), then the counters the reservation adds to. ARGV: n, wanted, µUSD per output token,
 * input tokens, input µUSD; per cap its limit and how it limits a response (`t` all tokens,
 * `o` output tokens, `b` budget, `s` only once spent); per added counter what it adds (`t`
 * input and output, `i` input, `o` output, `b` their µUSD) and when it expires. Returns
 * `{1, granted}`, or `{0, i}` when cap i leaves nothing.
 */
export const RESERVE_SCRIPT = `
local n = tonumber(ARGV[1])
local granted = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local input = tonumber(ARGV[4])
local inputCost = tonumber(ARGV[5])
local a = 6
for i = 1, n do
  local limit = tonumber(ARGV[a])
  local kind = ARGV[a + 1]
  a = a + 2
  local left = limit - tonumber(redis.call('GET', KEYS[i]) or '0')
  local room = granted
  if kind == 't' then
    room = math.floor(left - input)
  elseif kind == 'o' then
    room = math.floor(left)
  elseif kind == 'b' then
    if rate > 0 then
      room = math.floor((left - inputCost) / rate)
    elseif left - inputCost <= 0 then
      room = 0
    end
  elseif left <= 0 then
    room = 0
  end
  if room < 1 then return {0, i} end
  if room < granted then granted = room end
end
local amounts = {
  t = granted + input,
  i = input,
  o = granted,
  b = math.ceil(granted * rate + inputCost),
}
for j = n + 1, #KEYS do
  local amount = amounts[ARGV[a]]
  if amount > 0 and redis.call('INCRBY', KEYS[j], amount) == amount then
    redis.call('PEXPIREAT', KEYS[j], ARGV[a + 1])
  end
  a = a + 2
end
return {1, granted}
`;

/**
 * Replaces a reservation with what was used, then checks the caps. KEYS: the counters to
 * change (d), then the counter of each cap. ARGV: d; per counter its change and when it
 * expires; per cap its limit. Returns the 1-based index of a cap now reached, or 0.
 */
export const SETTLE_SCRIPT = `
local d = tonumber(ARGV[1])
local a = 2
for j = 1, d do
  local change = tonumber(ARGV[a])
  if change ~= 0 and redis.call('INCRBY', KEYS[j], change) == change then
    redis.call('PEXPIREAT', KEYS[j], ARGV[a + 1])
  end
  a = a + 2
end
for i = d + 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[a]) then return i - d end
  a = a + 1
end
return 0
`;

/** KEYS: the counter of each cap. ARGV: their limits. Returns the first reached (1-based), or 0. */
export const EXHAUSTED_SCRIPT = `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then return i end
end
return 0
`;

/**
 * Takes a session slot. KEYS[1]: the tenant's sorted set of leases, scored by when each
 * lapses. ARGV: now, the new lease's end, its id, the cap (`''`: none), the set's lifetime
 * (ms). Leases that lapsed (their relay died) are dropped first. Returns `{1, 0}`, or
 * `{0, ms}` with how long until the next lease lapses when the cap is reached.
 */
export const OPEN_SESSION_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if ARGV[4] ~= '' and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - tonumber(ARGV[1])}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, 0}
`;

/**
 * Keeps a relay's leases of one tenant: KEYS[1] the set; ARGV: their new end, the set's
 * lifetime, then the ids. A lease that lapsed meanwhile (Redis restarted, or was out of reach
 * longer than the lease) is added again: its session is alive, so it counts.
 */
export const RENEW_SCRIPT = `
for i = 3, #ARGV do
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`;
