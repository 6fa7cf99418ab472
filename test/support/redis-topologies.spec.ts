import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { RedisClusterProcess } from './redis-cluster.process.js';
import { RedisSentinelProcess, SENTINEL_MASTER_NAME } from './redis-sentinel.process.js';

describe('private Redis Cluster harness', () => {
  let cluster: RedisClusterProcess;
  let client: Cluster;
  beforeAll(async () => {
    cluster = await RedisClusterProcess.start(3);
    client = new Cluster(cluster.startupNodes, { redisOptions: { maxRetriesPerRequest: 1 } });
  }, 60_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('has 3 masters with a replica each, and spreads keys over all of them', async () => {
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    for (const master of masters) expect(await cluster.replicasOf(master)).toHaveLength(1);
    const owners = new Set<number>();
    for (let index = 0; index < 30; index++) {
      await client.set(`spread:${index}`, String(index));
      owners.add(await cluster.masterOf(`spread:${index}`));
    }
    expect(owners.size).toBe(3);
  });

  it('promotes the replica of a killed master', async () => {
    const victim = await cluster.masterOf('spread:0');
    const [replica] = await cluster.replicasOf(victim);
    await cluster.kill(victim);
    await cluster.waitHealthy();
    expect(await cluster.masterOf('spread:0')).toBe(replica);
    await cluster.restart(victim);
    await cluster.waitHealthy();
    await cluster.waitReplicasInSync();
    expect(await cluster.replicasOf(replica!)).toEqual([victim]);
  }, 60_000);
});

describe('private Redis Sentinel harness', () => {
  let setup: RedisSentinelProcess;
  beforeAll(async () => {
    setup = await RedisSentinelProcess.start(2);
  }, 60_000);
  afterAll(async () => setup?.stop());

  it('fails over to a replica when asked, and a sentinel client follows it', async () => {
    const client = new Redis({ sentinels: setup.sentinels, name: SENTINEL_MASTER_NAME, maxRetriesPerRequest: 1 });
    try {
      const first = await setup.masterPort();
      expect(first).toBe(setup.serverPorts[0]);
      await client.set('k', 'v');
      await setup.failover();
      const second = await setup.waitForMaster((port) => port !== first);
      expect(await client.get('k')).toBe('v');
      expect(second).not.toBe(first);
      expect(setup.serverPorts).toContain(second);
    } finally {
      client.disconnect();
    }
  }, 60_000);
});
