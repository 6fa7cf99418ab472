import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, Socket, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { until } from '../../../../test/support/eventually.js';
import { RedisProcess } from '../../../../test/support/redis-process.js';
import { redisClientOptions } from '../tiers/redis/redis.tier.js';
import { encodeEnvelope, type BusMessage } from './bus-message.js';
import { RedisBus } from './redis.bus.js';

/**
 * A loopback TCP proxy in front of a Redis server that delays what clients send by `delayMs`:
 * the subscriber's SUBSCRIBE then reaches the server well after a publish from a direct client.
 */
class DelayingProxy {
  delayMs = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(upstreamPort: number): Promise<DelayingProxy> {
    const server = createServer();
    const proxy = new DelayingProxy(server);
    server.on('connection', (downstream) => proxy.pipe(downstream, upstreamPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Drops every proxied connection, as a network fault would. */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private pipe(downstream: Socket, upstreamPort: number): void {
    const upstream = new Socket();
    for (const socket of [downstream, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        downstream.destroy();
        upstream.destroy();
      });
    }
    upstream.connect(upstreamPort, '127.0.0.1');
    // Timers of equal delay fire in order, so the byte stream stays in order.
    downstream.on('data', (chunk) => setTimeout(() => upstream.destroyed || upstream.write(chunk), this.delayMs));
    upstream.on('data', (chunk) => downstream.destroyed || downstream.write(chunk));
  }
}

describe('RedisBus after a reconnect', () => {
  let server: RedisProcess;
  let proxy: DelayingProxy;
  let direct: Redis;

  beforeAll(async () => {
    server = await RedisProcess.start();
    proxy = await DelayingProxy.start(server.port);
    direct = new Redis(server.url);
  });
  afterAll(async () => {
    await direct.quit();
    await proxy.close();
    await server.stop();
  });

  it('runs onRecovered only once a message published right then reaches it', async () => {
    const client = new Redis(proxy.url, redisClientOptions(2_000));
    client.on('error', () => undefined);
    const bus = new RedisBus({ client, instanceId: 'me', channel: 'tc:bus', heartbeatMs: 60_000 });
    try {
      await bus.ready();
      const received: BusMessage[] = [];
      bus.onMessage((message) => received.push(message));
      let recovered = 0;
      let subscribedWhenRecovered: boolean | undefined;
      bus.onRecovered(() => {
        recovered++;
        subscribedWhenRecovered = bus.connected;
        // What another instance may publish the moment this one resets its L1.
        const message: BusMessage = { kind: 'clear', namespace: 'right-after-recovery' };
        void direct.publish('tc:bus', encodeEnvelope({ origin: 'other', sentAt: Date.now(), message }));
      });

      proxy.delayMs = 300;
      proxy.dropAll();
      await until(() => !bus.connected, 2_000);
      await until(() => recovered === 1, 10_000);
      expect(subscribedWhenRecovered).toBe(true);
      await until(() => received.length === 1, 3_000);
      expect(received).toEqual([{ kind: 'clear', namespace: 'right-after-recovery' }]);
      expect(recovered).toBe(1);
    } finally {
      proxy.delayMs = 0;
      await bus.close();
      await client.quit().catch(() => undefined);
    }
  });
});
