/**
 * Lua scripts, so that a read and its checks, or a stamp, take one round trip and read the time
 * from one clock: the Redis server's `TIME`, in microseconds (docs/decisions/0003).
 *
 * Entry hash fields: p = payload, c = created stamp (µs), s = staleAt (ms), e = expiresAt (ms),
 * g = tags joined by U+001F. A hash with `c` alone is a tombstone.
 *
 * The tag hash maps each tag to its stamp, and holds metadata under names starting with U+0000,
 * which no tag can: kept in the same key, metadata and stamps are lost together, and a hash
 * without its floor is known to be lost.
 */

/** Metadata fields of the tag hash. */
export const META = {
  /** Every entry created at or before it is invalid; a tag without a field has this stamp. */
  floor: '\u0000floor',
  /** `run_id` of the server the floor was set on. */
  run: '\u0000run',
  /** The highest stamp this hash ever issued. */
  highWater: '\u0000hwm',
  /** The longest `expiresAt` (ms) − `createdAt` (µs) / 1000 any write carried. */
  maxLife: '\u0000maxlife',
  /** Prefix of the per-namespace clear stamps. */
  clearPrefix: '\u0000clear:',
} as const;

// The same names, as Lua string literals (a NUL escape, not a NUL byte, in the script's source).
const FLOOR = `'\\0floor'`;
const RUN = `'\\0run'`;
const HWM = `'\\0hwm'`;
const MAXLIFE = `'\\0maxlife'`;

const HELPERS = `local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function fmt(n) return string.format('%.0f', n) end
local function num(v) if v then return tonumber(v) end return 0 end
-- Never below a stamp the hash issued, even from a server whose clock is behind.
local function clock(hwm)
  local t = now_us()
  if t <= hwm then t = hwm + 1 end
  return t
end
local function raise_hwm(key, hwm, stamp)
  if stamp > hwm then redis.call('HSET', key, ${HWM}, fmt(stamp)) end
end`;

/**
 * KEYS: entry, tag hash. ARGV: this namespace's clear field. A hit returns [p, c, s, e, g,
 * ...tagStamps], a tag without a record at the floor. A miss returns [false, clock], the clock a
 * load needs, so a miss costs no extra round trip and a hit pays no TIME; [false, clock, 'lost']
 * when the tag hash has no floor. An entry created at or before the floor or the namespace's
 * clear stamp is a miss.
 */
export const READ_ENTRY = `${HELPERS}
local function miss(lost)
  local m = redis.call('HMGET', KEYS[2], ${FLOOR}, ${HWM})
  local reply = {false, fmt(clock(num(m[2])))}
  if lost or not m[1] then reply[3] = 'lost' end
  return reply
end
local r = redis.call('HMGET', KEYS[1], 'p', 'c', 's', 'e', 'g')
if not r[1] then return miss(false) end
local tags = {}
if r[5] and r[5] ~= '' then
  for tag in string.gmatch(r[5], '[^\\31]+') do tags[#tags + 1] = tag end
end
local m = redis.call('HMGET', KEYS[2], ${FLOOR}, ARGV[1], unpack(tags))
if not m[1] then return miss(true) end
local created = tonumber(r[2])
if created <= tonumber(m[1]) or (m[2] and created <= tonumber(m[2])) then return miss(false) end
local out = {r[1], r[2], r[3], r[4], r[5] or ''}
for i = 1, #tags do out[#out + 1] = m[i + 2] or m[1] end
return out`;

/**
 * {@link READ_ENTRY} for many entries in one call. KEYS: tag hash, then the entries. ARGV: this
 * namespace's clear field. Returns one READ_ENTRY reply per entry, in order: each entry is judged
 * by the very same code.
 */
export const READ_ENTRIES = `${HELPERS}
local tagKey = KEYS[1]
local function miss(lost)
  local m = redis.call('HMGET', tagKey, ${FLOOR}, ${HWM})
  local reply = {false, fmt(clock(num(m[2])))}
  if lost or not m[1] then reply[3] = 'lost' end
  return reply
end
local function read(entry)
  local r = redis.call('HMGET', entry, 'p', 'c', 's', 'e', 'g')
  if not r[1] then return miss(false) end
  local tags = {}
  if r[5] and r[5] ~= '' then
    for tag in string.gmatch(r[5], '[^\\31]+') do tags[#tags + 1] = tag end
  end
  local m = redis.call('HMGET', tagKey, ${FLOOR}, ARGV[1], unpack(tags))
  if not m[1] then return miss(true) end
  local created = tonumber(r[2])
  if created <= tonumber(m[1]) or (m[2] and created <= tonumber(m[2])) then return miss(false) end
  local out = {r[1], r[2], r[3], r[4], r[5] or ''}
  for i = 1, #tags do out[#out + 1] = m[i + 2] or m[1] end
  return out
end
local replies = {}
for i = 2, #KEYS do replies[#replies + 1] = read(KEYS[i]) end
return replies`;


/**
 * KEYS: entry, tag hash. ARGV: payload, created, staleAt, expiresAt, tags, clear field.
 * Refuses (0) a write created at or before the floor, the namespace's clear stamp or a tombstone
 * (tombstones win ties), or older than the live entry (newest stamp wins). Returns 1 when
 * written, -1 when the tag hash is lost (nothing can be checked, so nothing is written).
 */
export const WRITE_ENTRY = `${HELPERS}
local m = redis.call('HMGET', KEYS[2], ${FLOOR}, ARGV[6], ${MAXLIFE})
if not m[1] then return -1 end
local created = tonumber(ARGV[2])
if created <= tonumber(m[1]) or (m[2] and created <= tonumber(m[2])) then return 0 end
local current = redis.call('HMGET', KEYS[1], 'p', 'c')
if current[2] then
  local c = tonumber(current[2])
  if c > created or (not current[1] and c == created) then return 0 end
end
local life = math.ceil(tonumber(ARGV[4]) - created / 1000)
if life > num(m[3]) then redis.call('HSET', KEYS[2], ${MAXLIFE}, fmt(life)) end
redis.call('HSET', KEYS[1], 'p', ARGV[1], 'c', ARGV[2], 's', ARGV[3], 'e', ARGV[4], 'g', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1`;

/**
 * {@link WRITE_ENTRY} for many entries in one call. KEYS: tag hash, then the entries. ARGV: the
 * clear field, then per entry payload, created, staleAt, expiresAt, tags. Each entry is refused or
 * written by the same rules as a single write. Returns -1 when the tag hash is lost (nothing is
 * written), else the number of entries written.
 */
export const WRITE_ENTRIES = `${HELPERS}
local tagKey = KEYS[1]
local m = redis.call('HMGET', tagKey, ${FLOOR}, ARGV[1], ${MAXLIFE})
if not m[1] then return -1 end
local maxlife = num(m[3])
local written = 0
for i = 2, #KEYS do
  local entry = KEYS[i]
  local a = 2 + (i - 2) * 5
  local created = tonumber(ARGV[a + 1])
  local refused = created <= tonumber(m[1]) or (m[2] and created <= tonumber(m[2]))
  if not refused then
    local current = redis.call('HMGET', entry, 'p', 'c')
    if current[2] then
      local c = tonumber(current[2])
      if c > created or (not current[1] and c == created) then refused = true end
    end
  end
  if not refused then
    local life = math.ceil(tonumber(ARGV[a + 3]) - created / 1000)
    if life > maxlife then
      maxlife = life
      redis.call('HSET', tagKey, ${MAXLIFE}, fmt(life))
    end
    redis.call('HSET', entry, 'p', ARGV[a], 'c', ARGV[a + 1], 's', ARGV[a + 2], 'e', ARGV[a + 3], 'g', ARGV[a + 4])
    redis.call('PEXPIREAT', entry, ARGV[a + 3])
    written = written + 1
  end
end
return written`;

/**
 * KEYS: tag hash, entries... ARGV: tombstone lifetime (ms). Replaces each entry by a tombstone
 * stamped later than the entry and than any stamp issued so far, so that every write created
 * before the delete is refused.
 */
export const DELETE_ENTRIES = `${HELPERS}
local hwm = num(redis.call('HGET', KEYS[1], ${HWM}))
local base = clock(hwm)
local highest = base
for i = 2, #KEYS do
  local stamp = base
  local c = redis.call('HGET', KEYS[i], 'c')
  if c and tonumber(c) + 1 > stamp then stamp = tonumber(c) + 1 end
  redis.call('UNLINK', KEYS[i])
  redis.call('HSET', KEYS[i], 'c', fmt(stamp))
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
  if stamp > highest then highest = stamp end
end
raise_hwm(KEYS[1], hwm, highest)
return 1`;

/**
 * KEYS: tag hash. ARGV: minimum stamp, tags... Stamps every tag with one stamp, later than any
 * before. Returns [stamp, lost], lost = 1 when the hash had no floor.
 */
export const STAMP_TAGS = `${HELPERS}
local m = redis.call('HMGET', KEYS[1], ${HWM}, ${FLOOR})
local hwm = num(m[1])
local stamp = clock(hwm)
local minimum = tonumber(ARGV[1])
if minimum > stamp then stamp = minimum end
for i = 2, #ARGV do
  local current = num(redis.call('HGET', KEYS[1], ARGV[i]))
  if current >= stamp then stamp = current + 1 end
end
local s = fmt(stamp)
for i = 2, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], s) end
raise_hwm(KEYS[1], hwm, stamp)
if m[2] then return {s, 0} end
return {s, 1}`;

/** KEYS: tag hash. ARGV: tags... Their stamps (the floor where none), or false when lost. */
export const TAG_STAMPS = `local m = redis.call('HMGET', KEYS[1], ${FLOOR}, unpack(ARGV))
if not m[1] then return false end
local out = {}
for i = 1, #ARGV do out[i] = m[i + 1] or m[1] end
return out`;

/** KEYS: tag hash. The clock in µs: the server's, or above the highest stamp issued. */
export const READ_CLOCK = `${HELPERS}
return fmt(clock(num(redis.call('HGET', KEYS[1], ${HWM}))))`;

/**
 * KEYS: tag hash. ARGV: the highest stamp the caller saw. Nothing to do when the hash has a floor
 * set on this very server process (same `run_id`). Otherwise Redis may have forgotten stamps (a
 * restart from an older snapshot, a failover, an eviction of the hash): a new floor above every
 * stamp it or the caller knows invalidates every entry created before. Returns 1 when it did.
 */
export const RESYNC = `${HELPERS}
local runid = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
local m = redis.call('HMGET', KEYS[1], ${FLOOR}, ${RUN}, ${HWM})
if m[1] and m[2] == runid then return 0 end
local floor = math.max(now_us(), num(m[3]), num(m[1]), tonumber(ARGV[1])) + 1
redis.call('HSET', KEYS[1], ${FLOOR}, fmt(floor), ${RUN}, runid, ${HWM}, fmt(floor))
return 1`;

/**
 * KEYS: tag hash. ARGV: the field to stamp (a namespace's clear field, or the floor to clear every
 * namespace). Returns the stamp, or false when lost.
 */
export const STAMP_CLEAR = `${HELPERS}
local m = redis.call('HMGET', KEYS[1], ${FLOOR}, ARGV[1], ${HWM})
if not m[1] then return false end
local hwm = num(m[3])
local stamp = clock(hwm)
if num(m[2]) >= stamp then stamp = num(m[2]) + 1 end
redis.call('HSET', KEYS[1], ARGV[1], fmt(stamp))
raise_hwm(KEYS[1], hwm, stamp)
return fmt(stamp)`;

/**
 * KEYS: entries... ARGV: clear stamp. Unlinks the keys created at or before the stamp (entries and
 * tombstones a clear made redundant), and keeps what was written after it. Returns how many.
 */
export const UNLINK_CLEARED = `local removed = 0
local stamp = tonumber(ARGV[1])
for i = 1, #KEYS do
  local c = redis.call('HGET', KEYS[i], 'c')
  if not c or tonumber(c) <= stamp then
    removed = removed + redis.call('UNLINK', KEYS[i])
  end
end
return removed`;

/**
 * KEYS: tag hash. Raises the floor to now − the longest lifetime: an entry created before that has
 * expired, so the raise invalidates nothing alive, and a tag stamp at or below it says no more
 * than the floor. Returns the floor, or false when lost.
 */
export const RAISE_FLOOR_TO_HORIZON = `${HELPERS}
local m = redis.call('HMGET', KEYS[1], ${FLOOR}, ${MAXLIFE})
if not m[1] then return false end
local floor = tonumber(m[1])
local horizon = (math.floor(now_us() / 1000) - num(m[2])) * 1000
if horizon > floor then
  floor = horizon
  redis.call('HSET', KEYS[1], ${FLOOR}, fmt(floor))
end
return fmt(floor)`;

/**
 * KEYS: tag hash. ARGV: tags... Deletes the tags whose stamp is at or below the floor, checked
 * here again (a tag may have been stamped since it was scanned); never a metadata field.
 * Returns how many.
 */
export const PURGE_TAGS = `local floor = redis.call('HGET', KEYS[1], ${FLOOR})
if not floor then return 0 end
floor = tonumber(floor)
local removed = 0
for i = 1, #ARGV do
  if string.byte(ARGV[i], 1) ~= 0 then
    local stamp = redis.call('HGET', KEYS[1], ARGV[i])
    if stamp and tonumber(stamp) <= floor then removed = removed + redis.call('HDEL', KEYS[1], ARGV[i]) end
  end
end
return removed`;

/** Makes a literal string safe inside a Redis glob pattern (SCAN MATCH). */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\^-]/g, (char) => `\\${char}`);
}

/**
 * KEYS: entry. ARGV: payload. Removes a payload that failed its integrity check, unless a write
 * replaced it meanwhile. Returns 1 when removed.
 */
export const REMOVE_IF_UNCHANGED = `if redis.call('HGET', KEYS[1], 'p') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
