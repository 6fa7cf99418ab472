import { LRUCache } from 'lru-cache';
import type { RateLimit } from '../config/index.js';

interface Window {
  count: number;
  readonly resetAt: number;
}

/**
 * Counts events per key in fixed windows: a key's window opens with its first event and lasts
 * `windowMs`. In memory, per instance. At most `maxKeys` keys are kept (least recently used go
 * first), so a flood of distinct clients costs bounded memory; a key pushed out starts again at 0.
 */
export class FixedWindowCounter {
  private readonly windows: LRUCache<string, Window>;

  constructor(
    private readonly limit: RateLimit,
    maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new LRUCache({ max: maxKeys });
  }

  /**
   * Milliseconds until `key` may act again: 0 while it has made fewer than `limit` events in its
   * window, else the time left in the window (at least 1).
   */
  blockedFor(key: string): number {
    const window = this.current(key);
    if (window === undefined || window.count < this.limit.limit) return 0;
    return Math.max(1, window.resetAt - this.now());
  }

  /** Counts one event of `key`. */
  hit(key: string): void {
    const window = this.current(key);
    if (window === undefined) this.windows.set(key, { count: 1, resetAt: this.now() + this.limit.windowMs });
    else window.count++;
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window === undefined || window.resetAt > this.now()) return window;
    this.windows.delete(key);
    return undefined;
  }
}
