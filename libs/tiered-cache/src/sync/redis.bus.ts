import type { Redis } from 'ioredis';
import { closeRedisClient } from '../tiers/redis/redis.tier.js';
import { decodeEnvelope, encodeEnvelope, type BusEnvelope, type BusMessage, type CacheBus } from './bus-message.js';

export interface RedisBusOptions {
  /** Client used to publish; a subscriber connection is duplicated from it. Not closed by the bus. */
  client: Redis;
  /** This instance's id; messages with it as origin are ignored. */
  instanceId: string;
  /** Pub/sub channel. Default `tc:bus`. */
  channel?: string;
}

/**
 * Redis pub/sub bus. Pub/sub keeps nothing for a disconnected subscriber, which is why a reconnect
 * triggers `onRecovered`.
 */
export class RedisBus implements CacheBus {
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly messageHandlers: Array<(message: BusMessage, envelope: BusEnvelope) => void> = [];
  private readonly recoveryHandlers: Array<() => void> = [];
  private subscribed = false;
  private wasLost = false;
  private closing = false;

  constructor(private readonly options: RedisBusOptions) {
    this.channel = options.channel ?? 'tc:bus';
    this.subscriber = options.client.duplicate({ enableOfflineQueue: true, autoResubscribe: true, commandTimeout: undefined });
    this.subscriber.on('message', (channel: string, raw: string) => this.receive(channel, raw));
    this.subscriber.on('ready', () => void this.handleReady());
    this.subscriber.on('close', () => this.handleLost());
    this.subscriber.on('error', () => undefined); // reconnects on its own; state is tracked above
  }

  get connected(): boolean {
    return this.subscribed && this.subscriber.status === 'ready';
  }

  /** Resolves once the subscription is active. */
  async ready(timeoutMs = 5_000): Promise<void> {
    const started = Date.now();
    while (!this.connected) {
      if (Date.now() - started > timeoutMs) throw new Error(`bus not subscribed within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async publish(message: BusMessage): Promise<void> {
    const envelope: BusEnvelope = { origin: this.options.instanceId, sentAt: Date.now(), message };
    await this.options.client.publish(this.channel, encodeEnvelope(envelope));
  }

  onMessage(handler: (message: BusMessage, envelope: BusEnvelope) => void): void {
    this.messageHandlers.push(handler);
  }

  onRecovered(handler: () => void): void {
    this.recoveryHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.closing = true;
    await closeRedisClient(this.subscriber);
  }

  private async handleReady(): Promise<void> {
    // ioredis re-subscribes on reconnect by itself; the first subscription is ours to make.
    if (!this.subscribed) await this.subscriber.subscribe(this.channel).catch(() => undefined);
    this.subscribed = true;
    if (this.wasLost) {
      this.wasLost = false;
      for (const handler of this.recoveryHandlers) handler();
    }
  }

  private handleLost(): void {
    if (this.subscribed && !this.closing) this.wasLost = true;
  }

  private receive(channel: string, raw: string): void {
    if (channel !== this.channel) return;
    const envelope = decodeEnvelope(raw);
    if (!envelope || envelope.origin === this.options.instanceId) return;
    for (const handler of this.messageHandlers) handler(envelope.message, envelope);
  }
}
