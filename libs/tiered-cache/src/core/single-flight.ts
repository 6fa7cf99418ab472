/** A running load. `discarded` is set when a delete or clear makes its result unfit to store. */
export interface Flight<T> {
  readonly promise: Promise<T>;
  discarded: boolean;
}

/** Coalesces concurrent work per key: one run, every caller gets its result. */
export class SingleFlight {
  private readonly flights = new Map<string, Flight<unknown>>();

  get(key: string): Flight<unknown> | undefined {
    return this.flights.get(key);
  }

  start<T>(key: string, work: (flight: Flight<T>) => Promise<T>): Flight<T> {
    const flight = { discarded: false } as { promise: Promise<T>; discarded: boolean };
    flight.promise = work(flight).finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    this.flights.set(key, flight);
    return flight;
  }

  /** Marks the key's flight (or every flight) as discarded so its result is not stored. */
  discard(key?: string): void {
    if (key === undefined) {
      for (const flight of this.flights.values()) flight.discarded = true;
      this.flights.clear();
      return;
    }
    const flight = this.flights.get(key);
    if (flight) {
      flight.discarded = true;
      this.flights.delete(key);
    }
  }
}
