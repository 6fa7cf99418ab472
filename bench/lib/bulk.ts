import type { BenchEnv } from './env.js';

/**
 * Copies one Redis entry (a hash or a string, with its TTL) to `<prefix><i>` for i in
 * [start, start + count). Server-side, so a million entries take seconds; chunks of
 * {@link CHUNK} keys keep each call short, so the server keeps serving its other clients.
 */
const CLONE_SCRIPT = `
local kind = redis.call('TYPE', KEYS[1]).ok
local ttl = redis.call('PTTL', KEYS[1])
local start = tonumber(ARGV[2])
local last = start + tonumber(ARGV[3]) - 1
if kind == 'hash' then
  local fields = redis.call('HGETALL', KEYS[1])
  for i = start, last do
    local key = ARGV[1] .. i
    redis.call('HSET', key, unpack(fields))
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  end
elseif kind == 'string' then
  local value = redis.call('GET', KEYS[1])
  for i = start, last do
    if ttl > 0 then redis.call('SET', ARGV[1] .. i, value, 'PX', ttl) else redis.call('SET', ARGV[1] .. i, value) end
  end
else
  return redis.error_reply('cannot clone a ' .. kind)
end
return last - start + 1`;

const CHUNK = 2_000;

/**
 * Writes `count` byte-identical copies of the entry a library wrote at `templateKey`, under
 * `targetPrefix` + 0 .. count-1. The copies are exactly what the library itself stores, only
 * faster to make than through its API.
 */
export async function cloneRedisEntry(env: BenchEnv, templateKey: string, targetPrefix: string, count: number): Promise<void> {
  if (!templateKey.startsWith(env.prefix) || !targetPrefix.startsWith(env.prefix)) {
    throw new Error(`refusing to write outside the run's prefix ${env.prefix}`);
  }
  if ((await env.admin.exists(templateKey)) !== 1) throw new Error(`no template entry at ${templateKey}`);
  for (let start = 0; start < count; start += CHUNK) {
    await env.admin.eval(CLONE_SCRIPT, 1, templateKey, targetPrefix, start, Math.min(CHUNK, count - start));
  }
}

/**
 * Copies one L3 row to keys `targetPrefix` + 0 .. count-1 with a single INSERT ... SELECT over
 * generate_series: same value, tags, creation stamp and expiry as the row our tier wrote.
 */
export async function cloneL3Entry(env: BenchEnv, namespace: string, templateKey: string, targetPrefix: string, count: number): Promise<void> {
  const { rowCount } = await env.pool.query(
    `INSERT INTO "${env.schema}".cache_entries (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size)
     SELECT e.namespace, $3 || g, e.value, e.tags, e.created_stamp, e.stale_at, e.expires_at, e.byte_size
     FROM "${env.schema}".cache_entries e CROSS JOIN generate_series(0, $4::int - 1) AS g
     WHERE e.namespace = $1 AND e.key = $2`,
    [namespace, templateKey, targetPrefix, count],
  );
  if (rowCount !== count) throw new Error(`L3 clone of ${templateKey}: ${rowCount} rows instead of ${count}`);
}
