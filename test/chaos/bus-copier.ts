import { Redis } from 'ioredis';
import type { Prng } from './prng.js';

/**
 * Duplicates and delays bus messages: it listens on the bus channel with a raw client and, while
 * active, publishes copies of what it hears later, unchanged (same origin, same stamp). A copy is
 * what a retrying publisher or a slow replica could deliver; applying one must never make an
 * instance forget a later invalidation.
 */
export class BusCopier {
  active = false;
  copies = 0;
  private readonly subscriber: Redis;
  private readonly publisher: Redis;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    url: string,
    private readonly channel: string,
    private readonly prng: Prng,
    /** Longest delay before a copy is sent. */
    private readonly maxDelayMs = 1_500,
  ) {
    const options = { maxRetriesPerRequest: 1, retryStrategy: () => 50 };
    this.subscriber = new Redis(url, options);
    this.publisher = new Redis(url, options);
    this.subscriber.on('error', () => undefined);
    this.publisher.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, raw: string) => this.heard(raw));
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    this.active = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private heard(raw: string): void {
    if (!this.active) return;
    const copies = this.prng.chance(0.3) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.copies++;
        void this.publisher.publish(this.channel, raw).catch(() => undefined);
      }, this.prng.int(0, this.maxDelayMs));
      this.timers.add(timer);
    }
  }
}
