import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { until } from '../../../../test/support/eventually.js';
import { RedisProcess } from '../../../../test/support/redis-process.js';
import { redisClientOptions } from '../tiers/redis/redis.tier.js';
import { encodeEnvelope, type BusMessage } from './bus-message.js';
import { RedisBus } from './redis.bus.js';

describe('RedisBus heartbeat', () => {
  let server: RedisProcess;

  beforeAll(async () => {
    server = await RedisProcess.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('detects a hung server, which closes no socket, and recovers once it answers again', async () => {
    const client = new Redis(server.url, redisClientOptions(1_000));
    client.on('error', () => undefined);
    const bus = new RedisBus({ client, instanceId: 'me', channel: 'tc:bus', heartbeatMs: 200 });
    const pid = server.pid;
    let paused = false;
    try {
      await bus.ready();
      const events: string[] = [];
      bus.onLost(() => events.push(`lost:${bus.connected}`));
      bus.onRecovered(() => events.push(`recovered:${bus.connected}`));
      const received: BusMessage[] = [];
      bus.onMessage((message) => received.push(message));

      process.kill(pid, 'SIGSTOP');
      paused = true;
      // One beat to send the ping, one to give up on it, plus slack for a loaded machine.
      await until(() => events.length > 0, 3_000);
      expect(events).toEqual(['lost:false']);
      expect(bus.connected).toBe(false);

      process.kill(pid, 'SIGCONT');
      paused = false;
      await until(() => events.length > 1, 10_000);
      expect(events).toEqual(['lost:false', 'recovered:true']);

      const direct = new Redis(server.url);
      try {
        await direct.publish('tc:bus', encodeEnvelope({ origin: 'other', sentAt: 1, message: { kind: 'clear', namespace: 'after' } }));
      } finally {
        await direct.quit();
      }
      await until(() => received.length === 1, 3_000);
      expect(events).toEqual(['lost:false', 'recovered:true']);
    } finally {
      if (paused) process.kill(pid, 'SIGCONT');
      await bus.close();
      await client.quit().catch(() => undefined);
    }
  });
});
