import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../../../../../test/support/eventually.js';
import { RedisProcess } from '../../../../../test/support/redis-process.js';
import { TieredCache } from '../../core/tiered-cache.js';
import { TieredCacheHealthIndicator } from '../../health/tiered-cache.health.js';
import { DistributedLock } from '../../resilience/distributed-lock.js';
import type { BusMessage } from '../../sync/bus-message.js';
import { RedisBus } from '../../sync/redis.bus.js';
import { describeTierConformance, makeEntry } from '../testing/tier-conformance.js';
import { REDIS_ACL_COMMANDS, redisAclRules } from './redis-acl.js';
import { RedisTier } from './redis.tier.js';

const USER = 'tiered-cache';
const PASSWORD = 'acl-test-password';
const PREFIX = 'app1:';
const CHANNEL = `${PREFIX}bus`;

describe('the least-privilege Redis ACL user (a private redis-server with an aclfile)', () => {
  let dir: string;
  let server: RedisProcess;
  /** The `default` user, with every right: sets up, inspects, and changes the ACL. */
  let admin: Redis;
  let url: string;
  let runs = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tc-acl-'));
    const aclFile = join(dir, 'users.acl');
    await writeFile(aclFile, `user default on nopass ~* &* +@all\nuser ${USER} on >${PASSWORD} ${redisAclRules({ keyPrefix: PREFIX })}\n`);
    server = await RedisProcess.start({ aclFile });
    admin = new Redis(server.url);
    url = `redis://${USER}:${PASSWORD}@127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * What the library does with Redis, each step checked, as the ACL user: tier reads and writes
   * with tags, delete, clear, admin clear-all, tag purge, the clock, the lock, the bus between two
   * instances, and the health check. Throws at the first step that fails.
   */
  async function workload(): Promise<void> {
    // Keys of its own (under the user's prefix), so that what a failed run left cannot fail the next.
    const prefix = `${PREFIX}${++runs}:`;
    const closers: Array<() => Promise<unknown>> = [];
    try {
      const tier = new RedisTier({ url, keyPrefix: prefix, namespace: 'w' });
      closers.push(() => tier.close());
      await tier.ready(1_000);
      const put = async (key: string, value: unknown, spec: { tags?: string[]; ttlMs?: number } = {}) => {
        const { entry, payload } = makeEntry(value, { createdAt: await tier.now(), ...spec });
        await tier.set(key, entry, payload);
      };
      await put('a', 'A', { tags: ['t'] });
      expect((await tier.get('a')).entry?.value).toBe('A');
      expect((await tier.get('a')).entry?.value).toBe('A'); // twice: the second EVALSHA, not EVAL
      await tier.invalidateTags(['t']);
      expect((await tier.tagStamps(['t'])).get('t')).toBeGreaterThan(0);
      await tier.delete(['a']);
      expect((await tier.get('a')).entry).toBeUndefined();
      await put('b', 'B');
      await tier.clear();
      expect((await tier.get('b')).entry).toBeUndefined();
      await put('c', 'C');
      expect(await tier.clearAllNamespaces()).toBeGreaterThan(0);
      // The clear-all raised the floor above the stamp of 't', so the purge has one to drop.
      expect(await tier.purgeTagStamps()).toBeGreaterThan(0);

      const lock = new DistributedLock(tier.client, `${prefix}lock:w:`);
      const release = await lock.tryAcquire('k', 5_000);
      expect(release).toBeDefined();
      expect(await lock.tryAcquire('k', 5_000)).toBeUndefined();
      await release!(); // swallows its errors: whether it worked is read back below
      expect(await admin.exists(`${prefix}lock:w:k`)).toBe(0);

      const other = new RedisTier({ url, keyPrefix: prefix, namespace: 'w' });
      closers.push(() => other.close());
      const sender = new RedisBus({ client: tier.client, instanceId: 'sender', channel: CHANNEL });
      const receiver = new RedisBus({ client: other.client, instanceId: 'receiver', channel: CHANNEL });
      closers.push(() => sender.close(), () => receiver.close());
      const received: BusMessage[] = [];
      receiver.onMessage((message) => received.push(message));
      await Promise.all([sender.ready(1_000), receiver.ready(1_000)]);
      await sender.publish({ kind: 'tags', tags: ['x'], stamp: 1 });
      await until(() => received.length === 1, 1_000);

      const cache = new TieredCache({ namespace: 'w', memory: false, redis: { client: tier.client, keyPrefix: prefix }, bus: false });
      closers.push(() => cache.close());
      const health = await new TieredCacheHealthIndicator(cache, new HealthIndicatorService()).checkTier('l2');
      expect(health).toMatchObject({ l2: { status: 'up', state: 'up' } });
    } finally {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    }
  }

  describeTierConformance(
    'RedisTier as the ACL user',
    async () => {
      const one = new RedisTier({ url, keyPrefix: PREFIX, namespace: 'one' });
      const two = new RedisTier({ url, keyPrefix: PREFIX, namespace: 'two' });
      return { tier: one, otherNamespace: two, dispose: async () => void (await Promise.all([one.close(), two.close()])) };
    },
    { fencesWrites: true },
  );

  it('runs everything the library does: tiers, tags, delete, clear, clear-all, purge, lock, bus, health', async () => {
    await workload();
  });

  it('two caches keep each other current over the bus as that user', async () => {
    const options = { namespace: 'two-caches', redis: { url, keyPrefix: PREFIX } };
    const a = new TieredCache(options);
    const b = new TieredCache(options);
    try {
      expect(await a.ready(2_000)).toBe(true);
      expect(await b.ready(2_000)).toBe(true);
      expect(await a.getOrSet('k', () => 'v', { tags: ['t'], lock: true })).toBe('v');
      expect(await b.get('k')).toBe('v');
      await a.invalidateTags(['t']);
      await until(async () => (await b.get('k', { tiers: ['l1'] })) === undefined, 2_000);
      expect(a.stats().tiers.l2).toMatchObject({ errors: 0, writeErrors: 0 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('is refused what is outside the list: other commands, other keys, other channels (NOPERM)', async () => {
    const user = new Redis(url);
    try {
      await expect(user.flushall()).rejects.toThrow(/^NOPERM .*'flushall'/);
      await expect(user.keys('*')).rejects.toThrow(/^NOPERM .*'keys'/);
      await expect(user.config('GET', 'dir')).rejects.toThrow(/^NOPERM .*'config\|get'/);
      await expect(user.get('other-app:secret')).rejects.toThrow(/^NOPERM .*key/);
      await expect(user.set('other-app:secret', 'x')).rejects.toThrow(/^NOPERM .*key/);
      await expect(user.publish('other-app:bus', 'x')).rejects.toThrow(/^NOPERM .*channel/);
      // Scripts do not widen the rights: their calls are checked against the same ACL.
      await expect(user.eval("return redis.call('FLUSHALL')", 0)).rejects.toThrow(/user executing the script can't run this command/);
      await expect(user.eval("return redis.call('GET', KEYS[1])", 1, 'other-app:secret')).rejects.toThrow(/^NOPERM .*key/);
      await expect(user.eval(`return redis.call('GET', '${PREFIX}undeclared-but-mine')`, 0)).resolves.toBeNull();
      await expect(user.eval("return redis.call('GET', 'other-app:undeclared')", 0)).rejects.toThrow(/can't access at least one of the keys/);
      expect(await user.set(`${PREFIX}mine`, 'x')).toBe('OK');
    } finally {
      user.disconnect();
    }
  });

  it('is the line docs/tls.md gives for the default prefix', async () => {
    const doc = await readFile(new URL('../../../../../docs/tls.md', import.meta.url), 'utf8');
    expect(doc).toContain(`ACL SETUSER tiered-cache on >CHANGE-ME ${redisAclRules()}`);
    expect(redisAclRules()).toBe(`resetkeys ~tc:* resetchannels &tc:bus -@all ${REDIS_ACL_COMMANDS.map(({ command }) => `+${command}`).join(' ')}`);
  });

  describe('every command in the list is needed: without any one of them the workload fails', () => {
    beforeAll(() => {
      // ioredis warns on every connection whose ready check (INFO) is refused.
      jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    });
    afterAll(() => {
      jest.restoreAllMocks();
    });

    it.each(REDIS_ACL_COMMANDS.map(({ command }) => command))('without %s', async (command) => {
      await admin.call('ACL', 'SETUSER', USER, `-${command}`);
      try {
        await expect(workload()).rejects.toThrow();
      } finally {
        await admin.call('ACL', 'SETUSER', USER, `+${command}`);
      }
      await workload(); // and with it back, it passes again
    });
  });
});
