import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAppCluster, type AppCluster, type ClusterInstance } from '../support/processes/app-cluster.js';
import { summarize } from '../support/processes/http.js';
import { startLoad, type LoadMix, type LoadSample } from '../support/processes/load.js';
import { recordMeasurement } from './measurements.js';
import { visibleAt } from './session-visibility.js';

/**
 * Documented bounds (docs/resilience.md, "Measured"): p99 latency of the requests sent while Redis
 * is away, seen by a client on the same 2-core machine as three app processes and PostgreSQL. On a
 * machine so busy that the same run's baseline p99 is already high, the bound grows with it: the
 * point is that the outage adds no wait per request, not how fast the machine is.
 * - Killed (connections refused): measured p99 64-253 ms, about the baseline's; bound 500 ms
 *   or twice the baseline p99. A request paying the 2 s connect timeout, or the 250 ms command
 *   timeout on each of the 3-4 L2 calls of a miss, would exceed it.
 * - Hung (SIGSTOP: connections open, nothing answers): the calls in flight when it hangs, and one
 *   half-open probe per instance every 2 s, wait out the 250 ms command timeout, once or twice;
 *   measured p99 47-534 ms; bound 1,000 ms or the baseline p99 plus 750 ms.
 */
const KILLED_P99_BOUND_MS = 500;
const HUNG_P99_BOUND_MS = 1_000;
// Additive, like the hung bound: a busy machine stretches the outage's tail by about what it adds to
// the baseline's, not by a multiple of it; a regression (each miss waiting out 3–4 command timeouts
// of 250 ms) adds 750 ms or more.
const killedBound = (baselineP99: number) => Math.max(KILLED_P99_BOUND_MS, baselineP99 + 400);
const hungBound = (baselineP99: number) => Math.max(HUNG_P99_BOUND_MS, baselineP99 + 750);
/** Issue 5: every instance uses L2 again within 5 s of Redis returning. */
const RECOVERY_BOUND_MS = 5_000;
const BASELINE_MS = 2_000;
const OUTAGE_MS = 3_000;
const AFTER_RECOVERY_MS = 1_000;
const WORKERS_PER_INSTANCE = 3;

interface Session {
  id: number;
  productId: number;
  title: string;
}

interface Stats {
  tiers: { l2: { hits: number; writes: number; errors: number; writeErrors: number; circuit: string } };
  bus: string;
}

async function stats(instance: ClusterInstance): Promise<Stats> {
  const reply = await instance.admin({ path: '/admin/cache/stats' });
  expect(reply.status).toBe(200);
  return reply.body as Stats;
}

/** L2 traffic that succeeded: reads that hit and writes that landed. */
const l2Used = (s: Stats) => s.tiers.l2.hits + s.tiers.l2.writes;

/**
 * Polls until the instance is back on L2: breaker closed, bus subscribed, and L2 hits or writes
 * counted since `before`. Returns the time of the stats read that showed it.
 */
async function backOnL2(instance: ClusterInstance, before: Stats, deadline: number): Promise<number> {
  for (;;) {
    const now = await stats(instance);
    const at = performance.now();
    if (now.tiers.l2.circuit === 'closed' && now.bus === 'connected' && l2Used(now) > l2Used(before)) return at;
    if (at > deadline) throw new Error(`instance ${instance.name} not back on L2: ${JSON.stringify(now)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Redis outage under load, three app processes', () => {
  let cluster: AppCluster;
  let sessions: Session[];
  let products: number[];

  beforeAll(async () => {
    cluster = await startAppCluster({ label: 'res-redis', instances: 3 });
    sessions = (await cluster.pool.query<Session>('SELECT id, product_id AS "productId", title FROM expert_sessions ORDER BY id')).rows;
    products = [...new Set(sessions.map((s) => s.productId))];
  }, 300_000);

  afterAll(async () => cluster?.stop(), 60_000);

  /** 60% product lists, 38% single sessions, 2% admin PATCHes of a title (each invalidates lists). */
  const mix: LoadMix = (random, n, worker) => {
    const pick = random();
    if (pick < 0.6) return { op: 'list', request: { path: `/expert-sessions?productId=${products[Math.floor(random() * products.length)]}` } };
    const session = sessions[Math.floor(random() * sessions.length)]!;
    if (pick < 0.98) return { op: 'one', request: { path: `/expert-sessions/${session.id}` } };
    return { op: 'patch', asAdmin: true, request: { method: 'PATCH', path: `/expert-sessions/${session.id}`, body: { title: `load ${worker} #${n}` } } };
  };

  /**
   * Load on every instance; after BASELINE_MS `fail()`, after OUTAGE_MS more `heal()`; then waits
   * until every instance is back on L2 and lets the load run AFTER_RECOVERY_MS more.
   */
  async function outageUnderLoad(name: string, fail: () => Promise<void>, heal: () => Promise<void>, seed: number) {
    const load = startLoad({ instances: cluster.instances, workersPerInstance: WORKERS_PER_INSTANCE, mix, maxRequests: 60_000, maxDurationMs: 30_000, seed });
    let samples: readonly LoadSample[];
    let failedAt = Number.NaN;
    let healedAt = Number.NaN;
    let recovered: number[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, BASELINE_MS));
      failedAt = performance.now();
      await fail();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      const before = await Promise.all(cluster.instances.map(stats));
      await heal();
      healedAt = performance.now();
      recovered = await Promise.all(cluster.instances.map((instance, i) => backOnL2(instance, before[i]!, healedAt + 15_000)));
      await new Promise((resolve) => setTimeout(resolve, AFTER_RECOVERY_MS));
    } finally {
      samples = await load.stop();
    }
    const phase = (from: number, to: number) => samples.filter((s) => s.sentAt >= from && s.sentAt < to);
    const outage = phase(failedAt, healedAt);
    const result = {
      requests: samples.length,
      byOp: Object.fromEntries(['list', 'one', 'patch'].map((op) => [op, samples.filter((s) => s.op === op).length])),
      non200: samples.filter((s) => s.status !== 200).length,
      fiveXx: samples.filter((s) => s.status >= 500).length,
      noAnswer: samples.filter((s) => s.status === 0).length,
      latencyMs: {
        baseline: summarize(phase(0, failedAt).map((s) => s.ms)),
        outage: summarize(outage.map((s) => s.ms)),
        afterHeal: summarize(phase(healedAt, Number.POSITIVE_INFINITY).map((s) => s.ms)),
      },
      outageRequestsPerSecond: Math.round(outage.length / ((healedAt - failedAt) / 1_000)),
      outageWritesPerInstance: Object.fromEntries(cluster.instances.map((i) => [i.name, outage.filter((s) => s.instance === i.name && s.op === 'patch').length])),
      backOnL2AfterHealMs: Object.fromEntries(cluster.instances.map((instance, i) => [instance.name, Math.round(recovered[i]! - healedAt)])),
    };
    console.log(`Redis ${name} under load: ${JSON.stringify(result, null, 2)}`);
    recordMeasurement(`redis-${name}`, result);
    return { samples, outage, result };
  }

  /** Every instance serves what the database holds, for every session and every product list. */
  async function expectNothingStale(): Promise<void> {
    const truth = new Map((await cluster.pool.query<Session>('SELECT id, title FROM expert_sessions')).rows.map((row) => [row.id, row.title]));
    for (const instance of cluster.instances) {
      for (const session of sessions) {
        const reply = await instance.get(`/expert-sessions/${session.id}`);
        expect({ instance: instance.name, id: session.id, title: (reply.body as Session).title }).toEqual({ instance: instance.name, id: session.id, title: truth.get(session.id) });
      }
      for (const product of products) {
        const reply = await instance.get(`/expert-sessions?productId=${product}`);
        for (const listed of reply.body as Session[]) expect({ instance: instance.name, id: listed.id, title: listed.title }).toEqual({ instance: instance.name, id: listed.id, title: truth.get(listed.id) });
      }
    }
  }

  /** After recovery, a write on each instance in turn is visible on every instance and stays so. */
  async function expectWritesVisibleEverywhere(label: string): Promise<number[]> {
    const session = sessions[0]!;
    const delays: number[] = [];
    for (const writer of cluster.instances) {
      for (const instance of cluster.instances) expect((await instance.get(`/expert-sessions/${session.id}`)).status).toBe(200); // cached everywhere
      const title = `${label} by ${writer.name} ${Date.now()}`;
      expect((await writer.admin({ method: 'PATCH', path: `/expert-sessions/${session.id}`, body: { title } })).status).toBe(200);
      const acked = performance.now();
      for (const instance of cluster.instances) await visibleAt(instance, session.id, title, acked + 2_000);
      delays.push(performance.now() - acked);
      for (let read = 0; read < 5; read++) {
        for (const instance of cluster.instances) expect(((await instance.get(`/expert-sessions/${session.id}`)).body as Session).title).toBe(title);
      }
    }
    return delays;
  }

  it('killed and restarted: zero 5xx, outage p99 within bound, back on L2 within 5 s, nothing stale after', async () => {
    const { samples, outage, result } = await outageUnderLoad(
      'killed',
      () => cluster.redis.stop(), // SIGKILL
      () => cluster.redis.start(), // same port, empty (no persistence)
      5,
    );
    expect(samples.filter((s) => s.status !== 200).slice(0, 5)).toEqual([]);
    expect(outage.length).toBeGreaterThan(100); // the outage really was under load
    expect(result.latencyMs.outage.p99).toBeLessThan(killedBound(result.latencyMs.baseline.p99));
    for (const ms of Object.values(result.backOnL2AfterHealMs)) expect(ms).toBeLessThan(RECOVERY_BOUND_MS);
    // Including the titles written during the outage, when invalidations reached only L3 and L1.
    await expectNothingStale();
    const delays = await expectWritesVisibleEverywhere('after restart');
    console.log(`after the restart, write -> visible on all instances (ms): ${JSON.stringify(summarize(delays))}`);
  }, 120_000);

  it('hung (SIGSTOP) and resumed with its data: zero 5xx, p99 within bound, back on L2 within 5 s, nothing stale after', async () => {
    const pid = cluster.redis.pid;
    let stopped = false;
    try {
      const { samples, outage, result } = await outageUnderLoad(
        'hung',
        async () => {
          process.kill(pid, 'SIGSTOP');
          stopped = true;
        },
        async () => {
          process.kill(pid, 'SIGCONT');
          stopped = false;
        },
        7,
      );
      expect(samples.filter((s) => s.status !== 200).slice(0, 5)).toEqual([]);
      expect(outage.length).toBeGreaterThan(100);
      expect(result.latencyMs.outage.p99).toBeLessThan(hungBound(result.latencyMs.baseline.p99));
      for (const ms of Object.values(result.backOnL2AfterHealMs)) expect(ms).toBeLessThan(RECOVERY_BOUND_MS);
      // Redis kept the pre-outage entries here, so this also checks that the replayed stamps cover them.
      await expectNothingStale();
      await expectWritesVisibleEverywhere('after resume');
    } finally {
      if (stopped) process.kill(pid, 'SIGCONT');
    }
  }, 120_000);
});
