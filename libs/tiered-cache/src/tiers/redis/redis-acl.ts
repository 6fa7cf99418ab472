import { InvalidOptionError } from '../../core/errors.js';
import { escapeGlob } from './redis.scripts.js';

/**
 * Every Redis command the library sends, and why. Commands a script calls count: Redis checks
 * them against the caller's ACL as if sent directly.
 */
export const REDIS_ACL_COMMANDS: ReadonlyArray<{ readonly command: string; readonly why: string }> = [
  { command: 'eval', why: 'every script, the first time on each connection (ioredis), and the lock release' },
  { command: 'evalsha', why: 'every script after the first time on a connection' },
  { command: 'hmget', why: 'scripts: read an entry and the tag stamps' },
  { command: 'hget', why: 'scripts: tag stamps, tombstones, the high-water mark' },
  { command: 'hset', why: 'scripts: write an entry, stamp tags, tombstones, the floor' },
  { command: 'hdel', why: 'script: purge old tag stamps (scheduled cleanup)' },
  { command: 'pexpireat', why: 'script: physical expiry of an entry' },
  { command: 'pexpire', why: 'script: lifetime of a tombstone' },
  { command: 'unlink', why: 'scripts: delete, clear' },
  { command: 'time', why: 'scripts: the tag clock is the server time' },
  { command: 'info', why: "the resync script reads run_id from INFO server; ioredis' ready check on connect" },
  { command: 'scan', why: 'clear() and the admin clear-all find the keys under the prefix' },
  { command: 'hscan', why: 'purge of tag stamps walks the tag hash' },
  { command: 'set', why: 'the distributed lock: SET key token PX ttl NX' },
  { command: 'get', why: 'lock release script: only the holder deletes' },
  { command: 'del', why: 'lock release script; removal of a payload that failed its integrity check' },
  { command: 'publish', why: 'the bus: invalidations to the other instances' },
  { command: 'subscribe', why: 'the bus: the subscriber connection' },
  { command: 'ping', why: "health check, and the bus subscriber's heartbeat" },
];

/** Options of {@link redisAclRules}. */
export interface RedisAclRulesOptions {
  /** The cache's `keyPrefix`. Default `tc:`. */
  keyPrefix?: string;
  /** The bus channel. Default `<keyPrefix>bus`. */
  channel?: string;
}

/**
 * The ACL rules of a least-privilege Redis user for the library: only the commands it sends
 * ({@link REDIS_ACL_COMMANDS}), only keys under the prefix, only the bus channel. Use them in
 * `ACL SETUSER <user> on ><password> <rules>` or as an aclfile line `user <user> on #<sha256> <rules>`.
 * @throws InvalidOptionError when the prefix or channel holds whitespace (an ACL rule cannot).
 */
export function redisAclRules(options: RedisAclRulesOptions = {}): string {
  const keyPrefix = options.keyPrefix ?? 'tc:';
  const channel = options.channel ?? `${keyPrefix}bus`;
  if (keyPrefix === '' || /\s/.test(keyPrefix)) throw new InvalidOptionError('keyPrefix', 'must be non-empty and without whitespace to be an ACL key pattern');
  if (channel === '' || /\s/.test(channel)) throw new InvalidOptionError('bus.channel', 'must be non-empty and without whitespace to be an ACL channel pattern');
  const commands = REDIS_ACL_COMMANDS.map(({ command }) => `+${command}`).join(' ');
  return `resetkeys ~${escapeGlob(keyPrefix)}* resetchannels &${escapeGlob(channel)} -@all ${commands}`;
}
