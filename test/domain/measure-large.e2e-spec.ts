import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TieredCache } from '@tiered-cache/nestjs';
import { randomBytes } from 'node:crypto';
import { settleInvalidations } from '../support/app/settle-invalidations.js';
import { bootInstance, type AppInstance, type AuthedAgent } from './support/domain-app.js';
import { createTestRedis, type TestRedis } from '../support/isolation.js';

/**
 * First read vs cached reads of every cached endpoint, on an already seeded database (the numbers
 * in docs/reference-app.md come from the `large` seed). Skipped unless MEASURE_DATABASE_URL is set:
 *
 *   createdb measure && DATABASE_URL=postgres://.../measure npm run seed -- --scale large
 *   MEASURE_DATABASE_URL=postgres://.../measure npm test -- test/domain/measure-large
 *
 * Statements are counted on TypeORM's logger; latencies are wall time of the HTTP round trip
 * through supertest (in process, loopback).
 */
const url = process.env.MEASURE_DATABASE_URL;
const describeIfConfigured = url ? describe : describe.skip;

const ENDPOINTS: Array<[string, 'admin' | 'user', string]> = [
  ['expert sessions, all', 'user', '/expert-sessions'],
  ['expert sessions of a product', 'user', '/expert-sessions?productId=1'],
  ['one expert session', 'user', '/expert-sessions/1'],
  ['product performance, all', 'admin', '/analytics/product-performance'],
  ['product performance of a client', 'admin', '/analytics/product-performance?clientId=1'],
  ['recent chats', 'user', '/chats'],
  ['one chat', 'user', '/chats/1'],
  ['latest messages', 'user', '/chats/1/messages?limit=50'],
  ['older messages', 'user', '/chats/1/messages?before=10&limit=50'],
];

const CACHED_READS = 50;

describeIfConfigured('cache effect on a seeded database', () => {
  let instance: AppInstance;
  let redis: TestRedis;
  let admin: AuthedAgent;
  let user: AuthedAgent;
  const rows: string[] = [];

  beforeAll(async () => {
    redis = createTestRedis('measure');
    instance = await bootInstance(url!, `measure_${randomBytes(4).toString('hex')}`, redis.prefix);
    await settleInvalidations(instance.app);
    admin = await instance.as('alice', 'admin');
    user = await instance.as('student-1');
  }, 120_000);

  afterAll(async () => {
    await instance?.app.close();
    await redis?.drop();
    const table = [
      '| endpoint | first read: SQL statements | first read: ms | cached read (L1): SQL statements | cached read (L1): median ms | p95 ms | L2 hit (L1 emptied): ms |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n');
    console.log(table);
    await mkdir('test-artifacts', { recursive: true });
    await writeFile('test-artifacts/reference-app-measurements.md', `${table}\n`);
  });

  it.each(ENDPOINTS)('%s (GET %s)', async (name, who, path) => {
    const agent = who === 'admin' ? admin : user;
    const timed = async () => {
      const started = performance.now();
      const { result, statements } = await instance.queries.during(() => agent.get(path).expect(200));
      return { ms: performance.now() - started, statements: statements.length, body: result.body as unknown };
    };
    const first = await timed();
    const cached: number[] = [];
    let cachedStatements = 0;
    for (let i = 0; i < CACHED_READS; i++) {
      const read = await timed();
      cachedStatements += read.statements;
      cached.push(read.ms);
      expect(read.body).toEqual(first.body);
    }
    instance.app.get(TieredCache).l1?.reset();
    const fromL2 = await timed();
    expect(fromL2.statements).toBe(0);
    cached.sort((a, b) => a - b);
    const median = cached[Math.floor(cached.length / 2)];
    const p95 = cached[Math.floor(cached.length * 0.95) - 1];
    rows.push(
      `| ${name} \`${path}\` | ${first.statements} | ${first.ms.toFixed(1)} | ${cachedStatements / CACHED_READS} | ${median.toFixed(2)} | ${p95.toFixed(2)} | ${fromL2.ms.toFixed(2)} |`,
    );
    expect(cachedStatements).toBe(0);
  }, 60_000);
});
