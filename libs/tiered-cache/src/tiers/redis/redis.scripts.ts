/**
 * Lua scripts, so that a read and its tag check, or a tag stamp, take one round trip and read the
 * time from one clock: the Redis server's `TIME`, in microseconds.
 *
 * Entry hash fields: p = payload, c = created stamp (µs), s = staleAt (ms), e = expiresAt (ms),
 * g = tags joined by U+001F.
 */

const CLOCK = `local t = redis.call('TIME')
local clock = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))`;

/**
 * KEYS: entry, tag hash. A hit returns [p, c, s, e, g, ...tagStamps]; a miss returns
 * [false, clock], the clock a load needs, so a miss costs no extra round trip and a hit pays no TIME.
 */
export const READ_ENTRY = `local r = redis.call('HMGET', KEYS[1], 'p', 'c', 's', 'e', 'g')
if not r[1] then
${CLOCK}
  return {false, clock}
end
local out = {r[1], r[2], r[3], r[4], r[5] or ''}
if r[5] and r[5] ~= '' then
  local tags = {}
  for tag in string.gmatch(r[5], '[^\\31]+') do tags[#tags + 1] = tag end
  local stamps = redis.call('HMGET', KEYS[2], unpack(tags))
  for i = 1, #tags do out[#out + 1] = stamps[i] or '0' end
end
return out`;

/**
 * KEYS: entry. ARGV: payload, created, staleAt, expiresAt, tags. Newest stamp wins: a slow loader's
 * older result never replaces a newer entry. Returns 1 when written.
 */
export const WRITE_ENTRY = `local current = redis.call('HGET', KEYS[1], 'c')
if current and tonumber(current) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'p', ARGV[1], 'c', ARGV[2], 's', ARGV[3], 'e', ARGV[4], 'g', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1`;

/** KEYS: tag hash. ARGV: minimum stamp, tags... Stamps every tag with one stamp, later than any before. */
export const STAMP_TAGS = `${CLOCK}
local stamp = tonumber(clock)
local floor = tonumber(ARGV[1])
if floor > stamp then stamp = floor end
for i = 2, #ARGV do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if current >= stamp then stamp = current + 1 end
end
local s = string.format('%.0f', stamp)
for i = 2, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], s) end
return s`;

/** No keys. Returns the server clock in µs. */
export const READ_CLOCK = `${CLOCK}
return clock`;

/** Makes a literal string safe inside a Redis glob pattern (SCAN MATCH). */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\^-]/g, (char) => `\\${char}`);
}
