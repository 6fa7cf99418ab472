import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FleetInstances, TrendSeries } from '../../libs/tiered-cache/src/admin/index.js';
import { eventually, waitFor } from '../support/eventually.js';
import { startAppCluster, type AppCluster, type ClusterInstance } from '../support/processes/app-cluster.js';

const FLEET_INTERVAL_MS = 200;
/** The default bound: three intervals. */
const GONE_AFTER_MS = 3 * FLEET_INTERVAL_MS;

/**
 * Three processes of the built reference app on one database and Redis: each one's heartbeat is
 * listed by every other, their minutes in `cache_stats_minute` are summed by `GET /trends`, and one
 * killed with SIGKILL (no shutdown hook runs) is listed as gone once the bound has passed.
 */
describe('fleet trends across app processes', () => {
  let cluster: AppCluster;
  let ids: number[];

  const instancesOn = async (instance: ClusterInstance) => {
    const reply = await instance.admin({ path: '/admin/cache/instances' });
    expect(reply.status).toBe(200);
    return reply.body as FleetInstances;
  };
  const trendsOn = async (instance: ClusterInstance, range: string) => {
    const reply = await instance.admin({ path: `/admin/cache/trends?range=${range}` });
    expect(reply.status).toBe(200);
    return reply.body as TrendSeries;
  };
  /** What the instances wrote, read from the table: reads per instance id. */
  const readsPerInstance = async () => {
    const { rows } = await cluster.pool.query<{ instance_id: string; reads: string }>(
      `SELECT instance_id, sum(reads)::bigint AS reads FROM cache_stats_minute WHERE namespace = 'trends-fleet' GROUP BY instance_id`,
    );
    return new Map(rows.map((row) => [row.instance_id, Number(row.reads)]));
  };

  beforeAll(async () => {
    cluster = await startAppCluster({
      label: 'trends-fleet',
      instances: 3,
      env: { CACHE_FLEET_INTERVAL: String(FLEET_INTERVAL_MS), CACHE_TRENDS_FLUSH_INTERVAL: '200' },
    });
    const { rows } = await cluster.pool.query<{ id: number }>('SELECT id FROM expert_sessions ORDER BY id LIMIT 3');
    ids = rows.map((row) => row.id);
  }, 300_000);
  afterAll(async () => cluster?.stop(), 60_000);

  it('lists every process, sums their minutes, and shows a killed one as gone', async () => {
    const [a, b, c] = cluster.instances as [ClusterInstance, ClusterInstance, ClusterInstance];
    const selfIds: string[] = [];
    for (const instance of [a, b, c]) {
      const view = await eventually(() => instancesOn(instance), (body) => body.counts.up === 3);
      selfIds.push(view.instances.find((row) => row.self)!.instanceId);
    }
    expect(new Set(selfIds).size).toBe(3);

    // Reads on every process: each request reads the cache at least once.
    for (const instance of [a, b, c]) {
      for (let round = 0; round < 4; round++) for (const id of ids) expect((await instance.get(`/expert-sessions/${id}`)).status).toBe(200);
    }
    const written = await eventually(readsPerInstance, (reads) => selfIds.every((id) => (reads.get(id) ?? 0) >= 4 * ids.length));

    // GET /trends on any process sums every instance's minutes.
    const { value: series } = await waitFor(
      () => trendsOn(b, '1h'),
      (body) => body.points.reduce((sum, point) => sum + point.reads, 0) >= [...written.values()].reduce((sum, reads) => sum + reads, 0),
    );
    expect(series.points.reduce((sum, point) => sum + point.reads, 0)).toBeGreaterThanOrEqual([...written.values()].reduce((sum, reads) => sum + reads, 0));
    expect(Math.max(...series.points.map((point) => point.instances))).toBeLessThanOrEqual(3);

    // SIGKILL: no shutdown hook, no last heartbeat. Listed as gone once silent past the bound.
    const killed = selfIds[2]!;
    process.kill(c.process.pid, 'SIGKILL');
    await eventually(
      () => c.process.alive,
      (alive) => !alive,
    );
    const { value: view, ms } = await waitFor(
      () => instancesOn(a),
      (body) => body.instances.find((row) => row.instanceId === killed)?.status === 'gone',
      GONE_AFTER_MS + 10_000,
    );
    expect(view.counts).toEqual({ total: 3, up: 2, gone: 1 });
    expect(view.instances.find((row) => row.instanceId === killed)!.silentForMs).toBeGreaterThanOrEqual(GONE_AFTER_MS);
    console.log(`killed instance listed as gone ${ms} ms after it was seen dead (bound ${GONE_AFTER_MS} ms)`);
    // Its minutes stay in the history, and the API's points are exactly the table's sum over the three.
    expect((await readsPerInstance()).get(killed)).toBeGreaterThanOrEqual(4 * ids.length);
    const totals = await eventually(
      async () => {
        const table = [...(await readsPerInstance()).values()];
        const points = (await trendsOn(a, '1h')).points;
        return { instances: table.length, table: table.reduce((sum, reads) => sum + reads, 0), api: points.reduce((sum, point) => sum + point.reads, 0) };
      },
      (sums) => sums.api === sums.table,
    );
    expect(totals.instances).toBe(3);
  }, 120_000);
});
