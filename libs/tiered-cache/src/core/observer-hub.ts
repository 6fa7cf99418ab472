import type { RemoteSlot } from './remote-slot.js';
import type { CacheCallEvent, CacheObserver, CallAnswer, TierOperationEvent } from './observer.js';

/** What a call learns about itself while it runs, for its {@link CacheCallEvent}. */
export interface CallRecord {
  answer?: CallAnswer;
  coalesced?: boolean;
  ttlMs?: number;
  /** The load a `getOrSet` joined or started: its answer is known once it settles. */
  flight?: { readonly answer?: CallAnswer };
}

/** The registered {@link CacheObserver}s, and the timing of remote tier calls for them. */
export class ObserverHub {
  private observers: readonly CacheObserver[] = [];

  /** Registers hooks; returns a function that removes them. */
  observe(observer: CacheObserver): () => void {
    this.observers = [...this.observers, observer];
    return () => {
      this.observers = this.observers.filter((registered) => registered !== observer);
    };
  }

  /** Whether any observer is registered. */
  get observed(): boolean {
    return this.observers.length > 0;
  }

  /** The clock reading a call starts with, or `undefined` when nobody observes: then nothing is timed or recorded. */
  callStart(): number | undefined {
    return this.observers.length === 0 ? undefined : performance.now();
  }

  /**
   * Emits the call's event when `result` settles, and returns a promise of the same outcome. The
   * handlers are attached here, by the caller, so they run in the caller's async context.
   */
  settle<T>(result: Promise<T>, started: number, operation: CacheCallEvent['operation'], details: { key?: string; tags?: number; record?: CallRecord }): Promise<T> {
    const finish = (error?: unknown) => {
      const record = details.record;
      this.emit('call', {
        operation,
        key: details.key,
        tags: details.tags,
        // A call that failed before any tier was asked (a bad key, say) has no answer.
        answer: record === undefined ? undefined : (record.answer ?? record.flight?.answer ?? (error === undefined ? 'miss' : undefined)),
        coalesced: record?.coalesced,
        ttlMs: record?.ttlMs,
        startTime: performance.timeOrigin + started,
        seconds: (performance.now() - started) / 1_000,
        error,
      });
    };
    return result.then(
      (value) => {
        finish();
        return value;
      },
      (error: unknown) => {
        finish(error);
        throw error;
      },
    );
  }

  /** Runs a loader, timed for the `loader` hook. Only called when someone observes. */
  async timedLoader<T>(key: string, background: boolean, loader: () => T | Promise<T>): Promise<T> {
    const started = performance.now();
    let ok = false;
    try {
      const value = await loader();
      ok = true;
      return value;
    } finally {
      this.emit('loader', { key, seconds: (performance.now() - started) / 1_000, ok, background });
    }
  }

  /** A remote tier call through its breaker, timed only when anyone observes. */
  async timed<T>(slot: RemoteSlot, operation: TierOperationEvent['operation'], call: () => Promise<T>): Promise<T> {
    if (this.observers.length === 0) return slot.breaker.run(call);
    const started = performance.now();
    let ok = false;
    try {
      const result = await slot.breaker.run(call);
      ok = true;
      return result;
    } finally {
      this.emit('tierOperation', { tier: slot.tier.name, operation, seconds: (performance.now() - started) / 1_000, ok });
    }
  }

  emit<K extends keyof CacheObserver>(hook: K, event: Parameters<NonNullable<CacheObserver[K]>>[0]): void {
    for (const observer of this.observers) {
      try {
        (observer[hook] as ((event: unknown) => void) | undefined)?.call(observer, event);
      } catch {
        // An observer never breaks a cache call.
      }
    }
  }
}
