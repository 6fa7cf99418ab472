import type { RemoteSlot } from './remote-slot.js';
import type { CacheObserver, TierOperationEvent } from './observer.js';

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
