import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAppCluster, type AppCluster, type ClusterInstance } from '../support/processes/app-cluster.js';
import { summarize } from '../support/processes/http.js';

/** Generous: the bus delivers in milliseconds; this only catches a lost announcement (the periodic reload is 30 s). */
const IN_FORCE_WITHIN_MS = 3_000;
const TRIALS = 10;

interface Presence {
  state: string;
  staleInMs?: number;
}

/**
 * A policy edited through the admin API of one app process is in force on the other process
 * within the bus delay, without a restart: it disables caching there, then shortens the TTL.
 */
describe('runtime policies between app processes', () => {
  let cluster: AppCluster;
  let id: number;

  beforeAll(async () => {
    cluster = await startAppCluster({ label: 'res-policies', instances: 2 });
    const { rows } = await cluster.pool.query<{ id: number }>('SELECT id FROM expert_sessions ORDER BY id LIMIT 1');
    id = rows[0]!.id;
  }, 300_000);
  afterAll(async () => cluster?.stop(), 60_000);

  const key = () => `expert-sessions:one:${id}`;
  const inspect = async (instance: ClusterInstance) => {
    const reply = await instance.admin({ method: 'GET', path: `/admin/cache/entries/${encodeURIComponent(key())}` });
    expect(reply.status).toBe(200);
    return (reply.body as { present: boolean; tiers: Record<'l1' | 'l2' | 'l3', Presence> });
  };
  /** Polls B's own view of what it has in force; resolves with the time it took. */
  const inForceOn = async (instance: ClusterInstance, check: (policies: Array<Record<string, unknown>>) => boolean, since: number) => {
    const deadline = since + IN_FORCE_WITHIN_MS;
    for (;;) {
      const reply = await instance.admin({ method: 'GET', path: '/admin/cache/policies' });
      const body = reply.body as { policies: Array<Record<string, unknown>>; status: { inForce: number } };
      if (reply.status === 200 && check(body.policies) && body.status.inForce === body.policies.length) return performance.now() - since;
      if (performance.now() > deadline) throw new Error(`policy not in force on ${instance.name} within ${IN_FORCE_WITHIN_MS} ms: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  /** Reads the session on B afresh (after a delete of its key on B) and lets the background writes land. */
  const readAfresh = async (b: ClusterInstance) => {
    expect((await b.admin({ method: 'DELETE', path: `/admin/cache/entries/${encodeURIComponent(key())}` })).status).toBe(200);
    expect((await b.get(`/expert-sessions/${id}`)).status).toBe(200);
  };

  it('a policy created, changed and deleted on A takes effect on B', async () => {
    const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
    await readAfresh(b);
    await expect(inspect(b)).resolves.toMatchObject({ present: true });

    let started = performance.now();
    const created = await a.admin({ method: 'POST', path: '/admin/cache/policies', body: { match: { prefix: 'expert-sessions:one:' }, disabled: true } });
    expect(created.status).toBe(201);
    const policyId = (created.body as { id: string }).id;
    const delays = [await inForceOn(b, (policies) => policies.some((policy) => policy.disabled === true), started)];
    await readAfresh(b);
    const off = await inspect(b);
    expect(off.present).toBe(false);
    expect([off.tiers.l1.state, off.tiers.l2.state, off.tiers.l3.state]).toEqual(['absent', 'absent', 'absent']);

    for (let trial = 0; trial < TRIALS; trial++) {
      const ttl = `${3 + (trial % 2)}s`;
      started = performance.now();
      const changed = await a.admin({ method: 'PUT', path: `/admin/cache/policies/${policyId}`, body: { match: { prefix: 'expert-sessions:one:' }, ttl } });
      expect(changed.status).toBe(200);
      delays.push(await inForceOn(b, (policies) => policies[0]?.ttl === ttl, started));
    }
    await readAfresh(b);
    const short = await inspect(b);
    expect(short.tiers.l2.state).toBe('fresh');
    expect(short.tiers.l2.staleInMs).toBeLessThanOrEqual(4_000);

    started = performance.now();
    expect((await a.admin({ method: 'DELETE', path: `/admin/cache/policies/${policyId}` })).status).toBe(200);
    delays.push(await inForceOn(b, (policies) => policies.length === 0, started));
    await readAfresh(b);
    expect((await inspect(b)).tiers.l2.staleInMs).toBeGreaterThan(60_000);
    console.log(`policy edit on A -> in force on B, polled (ms): ${JSON.stringify(summarize(delays))}`);
  }, 120_000);
});
