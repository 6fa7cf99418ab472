import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startAppCluster, type AppCluster, type ClusterInstance } from '../support/processes/app-cluster.js';
import { summarize } from '../support/processes/http.js';
import { startLoad, type LoadMix } from '../support/processes/load.js';
import { recordMeasurement } from './measurements.js';

const OUTAGE_MS = 3_000;

interface Session {
  id: number;
  productId: number;
  title: string;
}

interface Stats {
  tiers: { l3: { hits: number; misses: number; errors: number; writes: number; writeErrors: number; circuit: string } };
}

async function l3Stats(instance: ClusterInstance): Promise<Stats['tiers']['l3']> {
  const reply = await instance.admin({ path: '/admin/cache/stats', timeoutMs: 5_000 });
  expect(reply.status).toBe(200);
  return (reply.body as Stats).tiers.l3;
}

/**
 * The L3 tier shares the app's database and TypeORM's pool, so stopping PostgreSQL would take the
 * source down too. These tests break only the cache tier's table: renamed (every L3 entry read,
 * write and delete fails at once), or locked by another session (every L3 entry statement waits).
 * The tag clock (`cache_tag_clock`) stays: the domain triggers write it in the same transaction as
 * the data, so it is part of the source's write path and cannot fail on its own.
 */
describe('PostgreSQL cache tier (L3) outage, two app processes', () => {
  let cluster: AppCluster;
  let sessions: Session[];
  let products: number[];

  beforeAll(async () => {
    cluster = await startAppCluster({ label: 'res-l3', instances: 2 });
    sessions = (await cluster.pool.query<Session>('SELECT id, product_id AS "productId", title FROM expert_sessions ORDER BY id')).rows;
    products = [...new Set(sessions.map((s) => s.productId))];
  }, 300_000);

  afterAll(async () => {
    // Whatever a failed test left behind, the table is put back before the database is dropped.
    await cluster?.pool.query('ALTER TABLE IF EXISTS cache_entries_offline RENAME TO cache_entries').catch(() => undefined);
    await cluster?.stop();
  }, 60_000);

  const mix: LoadMix = (random, n, worker) => {
    const pick = random();
    if (pick < 0.6) return { op: 'list', request: { path: `/expert-sessions?productId=${products[Math.floor(random() * products.length)]}` } };
    const session = sessions[Math.floor(random() * sessions.length)]!;
    if (pick < 0.95) return { op: 'one', request: { path: `/expert-sessions/${session.id}` } };
    return { op: 'patch', asAdmin: true, request: { method: 'PATCH', path: `/expert-sessions/${session.id}`, body: { title: `l3 ${worker} #${n}` } } };
  };

  /** Every session and product list on every instance matches the database. */
  async function expectNothingStale(): Promise<void> {
    const truth = new Map((await cluster.pool.query<Session>('SELECT id, title FROM expert_sessions')).rows.map((row) => [row.id, row.title]));
    for (const instance of cluster.instances) {
      for (const session of sessions) {
        const reply = await instance.get(`/expert-sessions/${session.id}`);
        expect(reply.status).toBe(200);
        expect({ instance: instance.name, id: session.id, title: (reply.body as Session).title }).toEqual({ instance: instance.name, id: session.id, title: truth.get(session.id) });
      }
      for (const product of products) {
        const reply = await instance.get(`/expert-sessions?productId=${product}`);
        expect(reply.status).toBe(200);
        for (const listed of reply.body as Session[]) expect(listed.title).toBe(truth.get(listed.id));
      }
    }
  }

  it('keeps serving correct data from L1/L2 and the source while cache_entries is gone, and uses L3 again once it is back', async () => {
    await expectNothingStale(); // warms every instance
    await cluster.pool.query('ALTER TABLE cache_entries RENAME TO cache_entries_offline');
    const brokenAt = performance.now();
    const load = startLoad({ instances: cluster.instances, workersPerInstance: 3, mix, maxRequests: 40_000, maxDurationMs: OUTAGE_MS, seed: 3 });
    const samples = await load.done;
    const during = await Promise.all(cluster.instances.map(l3Stats));
    const outageMs = performance.now() - brokenAt;
    // Data written during the outage is correct everywhere while L3 is still down.
    await expectNothingStale();

    await cluster.pool.query('ALTER TABLE cache_entries_offline RENAME TO cache_entries');
    const restoredAt = performance.now();
    // Back in use: the breaker closes on the next L3 call and entries are written to the table again.
    const recoveredMs: number[] = [];
    for (const instance of cluster.instances) {
      const before = await l3Stats(instance);
      for (;;) {
        // A write makes the next reads miss L1 and L2 and go down to L3.
        await instance.admin({ method: 'PATCH', path: `/expert-sessions/${sessions[0]!.id}`, body: { title: `l3 back ${instance.name} ${Date.now()}` } });
        await instance.get(`/expert-sessions/${sessions[0]!.id}`);
        const now = await l3Stats(instance);
        if (now.circuit === 'closed' && now.writes > before.writes) break;
        if (performance.now() - restoredAt > 10_000) throw new Error(`instance ${instance.name} not writing to L3 10 s after it came back: ${JSON.stringify(now)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      recoveredMs.push(Math.round(performance.now() - restoredAt));
    }
    const { rows } = await cluster.pool.query<{ n: string }>('SELECT count(*) AS n FROM cache_entries');
    await expectNothingStale();

    const result = {
      requests: samples.length,
      non200: samples.filter((s) => s.status !== 200).length,
      latencyMs: summarize(samples.map((s) => s.ms)),
      l3DuringOutage: Object.fromEntries(
        cluster.instances.map((instance, i) => [instance.name, { errors: during[i]!.errors, writeErrors: during[i]!.writeErrors, circuit: during[i]!.circuit }]),
      ),
      outageMs: Math.round(outageMs),
      backOnL3AfterRestoreMs: Object.fromEntries(cluster.instances.map((instance, i) => [instance.name, recoveredMs[i]])),
    };
    console.log(`L3 outage (cache_entries renamed) under load: ${JSON.stringify(result, null, 2)}`);
    recordMeasurement('l3Outage', result);
    expect(samples.filter((s) => s.status !== 200).slice(0, 5)).toEqual([]);
    expect(samples.length).toBeGreaterThan(100);
    for (const stats of during) {
      expect(stats.errors + stats.writeErrors).toBeGreaterThan(0); // L3 really was failing under this load
      expect(stats.circuit).not.toBe('closed');
    }
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  }, 60_000);

  // An L3 statement that waits (a lock held by a migration, VACUUM FULL, a stuck session) must not
  // hold the request: the tier puts its query timeout on every statement, also on TypeORM's pool.
  it('answers a request that must read L3 within 1 s while another session holds a lock on cache_entries', async () => {
    const [a] = cluster.instances as [ClusterInstance];
    const id = sessions[1]!.id;
    expect((await a.get(`/expert-sessions/${id}`)).status).toBe(200);
    const locker = new pg.Client({ connectionString: cluster.database.url });
    await locker.connect();
    let release: NodeJS.Timeout | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE cache_entries IN ACCESS EXCLUSIVE MODE');
      // The write touches the tag clock, not cache_entries: it answers, and the next read misses L1 and L2.
      expect((await a.admin({ method: 'PATCH', path: `/expert-sessions/${id}`, body: { title: `locked ${Date.now()}` }, timeoutMs: 5_000 })).status).toBe(200);
      release = setTimeout(() => void locker.query('ROLLBACK').catch(() => undefined), 3_000);
      const read = await a.get(`/expert-sessions/${id}`, { timeoutMs: 10_000 });
      console.log(`L3 locked: a read that needs L3 answered ${read.status} after ${Math.round(read.ms)} ms (lock released at 3,000 ms)`);
      expect(read.status).toBe(200);
      // The L3 statements time out at 500 ms; anything well before the release at 3 s proves no wait on the lock.
      expect(read.ms).toBeLessThan(2_000);
    } finally {
      clearTimeout(release);
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  }, 20_000);
});
