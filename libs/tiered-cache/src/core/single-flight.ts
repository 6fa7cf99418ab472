import type { CallAnswer } from './observer.js';

/**
 * A running load. `mark` is the change-log sequence when it began (see {@link ChangeLog}); `tags`
 * are the tags its result will carry, or `undefined` when they depend on the value.
 */
export interface Flight<T> {
  readonly promise: Promise<T>;
  readonly mark: number;
  readonly tags: readonly string[] | undefined;
  /** Who answered, once known: set by the load for observers of the callers it serves. */
  answer?: CallAnswer;
}

/**
 * Coalesces concurrent work per key: one run, every caller gets its result. A change detaches the
 * flights it concerns, so callers arriving after it start a run of their own instead of joining one
 * that began before it.
 */
export class SingleFlight {
  private readonly flights = new Map<string, Flight<unknown>>();

  get(key: string): Flight<unknown> | undefined {
    return this.flights.get(key);
  }

  start<T>(key: string, mark: number, tags: readonly string[] | undefined, work: (flight: Flight<T>) => Promise<T>): Flight<T> {
    const flight = { mark, tags } as { promise: Promise<T>; mark: number; tags: readonly string[] | undefined };
    flight.promise = work(flight).finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    this.flights.set(key, flight);
    return flight;
  }

  /** Detaches the flight of each key (every flight when no keys are given). */
  detach(keys?: readonly string[]): void {
    if (keys === undefined) return this.flights.clear();
    for (const key of keys) this.flights.delete(key);
  }

  /** Detaches the flights whose result may carry one of `tags`. */
  detachTagged(tags: readonly string[]): void {
    if (this.flights.size === 0) return;
    const invalidated = new Set(tags);
    for (const [key, flight] of this.flights) {
      if (flight.tags === undefined || flight.tags.some((tag) => invalidated.has(tag))) this.flights.delete(key);
    }
  }
}
