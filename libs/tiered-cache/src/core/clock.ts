/**
 * The local clock in microseconds, strictly increasing within the process. Used as the tag clock
 * only when no shared tier (Redis or PostgreSQL) is configured, where skew cannot arise.
 */
export class LocalClock {
  private last = 0;

  /** @param wallClock milliseconds since the epoch; fractional values keep sub-millisecond order. */
  constructor(private readonly wallClock: () => number = () => performance.timeOrigin + performance.now()) {}

  now(): number {
    const micros = Math.floor(this.wallClock() * 1000);
    this.last = micros > this.last ? micros : this.last + 1;
    return this.last;
  }
}
