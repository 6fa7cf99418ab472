import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestSchema, uniqueName, type TestSchema } from '../../../../../test/support/isolation.js';
import { MemcachedProcess } from '../../../../../test/support/memcached-process.js';
import { InvalidOptionError } from '../../core/errors.js';
import { PostgresTier } from '../postgres/postgres.tier.js';
import { describeTierConformance, makeEntry } from '@tiered-cache/nestjs/testing';
import { MemcachedTier } from './memcached.tier.js';

/** A Memcached tier on `servers`, with its tag clock on a PostgreSQL schema of its own. */
async function harness(servers: () => readonly string[], label: string) {
  const db = await createTestSchema(label);
  const clockOne = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'one', queryTimeoutMs: 10_000 });
  const clockTwo = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'two', queryTimeoutMs: 10_000 });
  const keyPrefix = `${uniqueName(label)}:`;
  // The 5 MB case writes over the wire: a generous timeout, since speed is not what is checked.
  const tier = new MemcachedTier({ servers: servers(), clock: clockOne, keyPrefix, namespace: 'one', commandTimeoutMs: 5_000 });
  const other = new MemcachedTier({ servers: servers(), clock: clockTwo, keyPrefix, namespace: 'two', commandTimeoutMs: 5_000 });
  return {
    tier,
    otherNamespace: other,
    async dispose() {
      await tier.close();
      await other.close();
      await clockOne.close();
      await clockTwo.close();
      await db.drop();
    },
  };
}

const one: MemcachedProcess[] = [];
const two: MemcachedProcess[] = [];
beforeAll(async () => {
  one.push(await MemcachedProcess.start());
  two.push(await MemcachedProcess.start(), await MemcachedProcess.start());
});
afterAll(async () => {
  for (const server of [...one, ...two]) await server.stop();
});

describeTierConformance('MemcachedTier (one server)', () => harness(() => one.map((s) => s.address), 'mc_one'), { fencesWrites: true });
describeTierConformance('MemcachedTier (two shards)', () => harness(() => two.map((s) => s.address), 'mc_two'), { fencesWrites: true });

describe('MemcachedTier', () => {
  let db: TestSchema;
  let clock: PostgresTier;
  beforeAll(async () => {
    db = await createTestSchema('mc_misc');
    clock = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'misc' });
  });
  afterAll(async () => {
    await clock.close();
    await db.drop();
  });

  it('spreads keys over both shards', async () => {
    const tier = new MemcachedTier({ servers: two.map((s) => s.address), clock, keyPrefix: `${uniqueName('mc_spread')}:` });
    try {
      for (let index = 0; index < 40; index++) {
        const { entry, payload } = makeEntry(index, { createdAt: await clock.now() });
        await tier.set(`k${index}`, entry, payload);
      }
      const perShard = await Promise.all(two.map((server) => itemCount(server.port)));
      for (const count of perShard) expect(count).toBeGreaterThan(0);
    } finally {
      await tier.close();
    }
  });

  it('refuses bad options with the option named', () => {
    expect(() => new MemcachedTier({ servers: [], clock })).toThrow(InvalidOptionError);
    expect(() => new MemcachedTier({ servers: [], clock })).toThrow("'memcached.servers'");
    expect(() => new MemcachedTier({ servers: ['127.0.0.1'], clock })).toThrow("'127.0.0.1' is not host:port");
    expect(() => new MemcachedTier({ servers: ['127.0.0.1:1', '127.0.0.1:1'], clock })).toThrow('lists a server twice');
    expect(() => new MemcachedTier({ servers: ['127.0.0.1:1'], clock, keyPrefix: 'has space' })).toThrow("'memcached.keyPrefix'");
    expect(() => new MemcachedTier({ servers: ['127.0.0.1:1'], clock, commandTimeoutMs: 0 })).toThrow("'memcached.commandTimeoutMs'");
  });
});

/** `curr_items` of one server, read over the text protocol. */
async function itemCount(port: number): Promise<number> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('stats\r\n'));
    let text = '';
    socket.on('data', (data) => {
      text += data.toString();
      if (!text.includes('END\r\n')) return;
      socket.destroy();
      resolve(Number(/STAT curr_items (\d+)/.exec(text)?.[1] ?? 0));
    });
    socket.on('error', reject);
  });
}
