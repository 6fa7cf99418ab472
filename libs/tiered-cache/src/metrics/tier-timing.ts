import type { TierOperationEvent } from '../core/observer.js';
import type { TieredCache } from '../core/tiered-cache.js';

/** One finished call to a remote tier (L2, L3). */
export type TierTiming = TierOperationEvent;

export type TierTimingListener = (timing: TierTiming) => void;

/**
 * Fans the engine's tier-operation events out to listeners (metrics, the admin API's latency
 * windows). One engine observer per cache, however many listeners; registered only while someone
 * listens, so an unobserved cache does not time its calls. L1 is not timed: its reads are
 * synchronous map lookups.
 */
export class TierTimings {
  private listeners: readonly TierTimingListener[] = [];
  private unobserve: (() => void) | undefined;

  constructor(private readonly cache: TieredCache) {}

  /** @returns a function that removes the listener. */
  subscribe(listener: TierTimingListener): () => void {
    this.listeners = [...this.listeners, listener];
    this.unobserve ??= this.cache.observe({ tierOperation: (timing) => this.emit(timing) });
    return () => {
      this.listeners = this.listeners.filter((registered) => registered !== listener);
      if (this.listeners.length === 0) {
        this.unobserve?.();
        this.unobserve = undefined;
      }
    };
  }

  private emit(timing: TierTiming): void {
    for (const listener of this.listeners) {
      try {
        listener(timing);
      } catch {
        // a listener never breaks a cache call
      }
    }
  }
}

const instances = new WeakMap<TieredCache, TierTimings>();

/** The timing hub of a cache, created on first use. */
export function tierTimings(cache: TieredCache): TierTimings {
  let timings = instances.get(cache);
  if (!timings) {
    timings = new TierTimings(cache);
    instances.set(cache, timings);
  }
  return timings;
}

/**
 * The last `capacity` samples of one series, for percentiles. A ring buffer: recording is O(1),
 * a percentile sorts a copy (done per admin request, not per cache call).
 */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity = 1_024) {
    this.samples = new Float64Array(capacity);
  }

  record(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  get size(): number {
    return this.filled;
  }

  /** Nearest-rank percentiles (`p` in 0..100) of the samples held, or `undefined` if none. */
  percentiles(...ps: number[]): Array<number | undefined> {
    if (this.filled === 0) return ps.map(() => undefined);
    const sorted = this.samples.slice(0, this.filled).sort();
    return ps.map((p) => sorted[Math.min(this.filled - 1, Math.max(0, Math.ceil((p / 100) * this.filled) - 1))]);
  }
}

/** One {@link LatencyWindow} per tier and operation, fed with tier timings in milliseconds. */
export class LatencyWindows {
  private readonly windows = new Map<string, LatencyWindow>();

  record(timing: TierTiming): void {
    const name = `${timing.tier}:${timing.operation}`;
    let window = this.windows.get(name);
    if (!window) {
      window = new LatencyWindow();
      this.windows.set(name, window);
    }
    window.record(timing.seconds * 1_000);
  }

  /** The window of one tier and operation, or `undefined` while nothing was recorded for it. */
  get(tier: TierTiming['tier'], operation: TierTiming['operation']): LatencyWindow | undefined {
    return this.windows.get(`${tier}:${operation}`);
  }

  clear(): void {
    this.windows.clear();
  }
}

/** A latency in milliseconds, rounded to the microsecond; `null` when there is none. */
export function roundMs(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 1_000) / 1_000;
}
