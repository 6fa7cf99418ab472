import { TierUnavailableError } from '../core/errors.js';
import { toMilliseconds, type Duration } from '../core/duration.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** Settings of the per-tier breaker. See docs/resilience.md. */
export interface CircuitBreakerOptions {
  /** Failures within `window` that open the breaker. Default 5. */
  failureThreshold?: number;
  /** Sliding window for counting failures. Default `'10s'`. */
  window?: Duration;
  /** How long the breaker stays open before it lets one probe through. Default `'2s'`. */
  openFor?: Duration;
}

/**
 * Per-tier circuit breaker. Closed: calls pass. Open: calls are refused at once, so a dead Redis
 * costs nothing per request. Half-open: one probe passes; success closes, failure re-opens.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures: number[] = [];
  private openUntil = 0;
  private probing = false;
  /** Times the breaker opened: tells a call whether it was admitted before the latest opening. */
  private openings = 0;
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly openMs: number;

  constructor(
    readonly tier: string,
    options: CircuitBreakerOptions = {},
    private readonly onChange: (state: CircuitState, previous: CircuitState) => void = () => undefined,
    /** Runs after a successful probe and before the breaker closes; if it fails, the breaker re-opens. */
    private readonly beforeClose: () => Promise<void> = async () => undefined,
  ) {
    this.threshold = options.failureThreshold ?? 5;
    this.windowMs = toMilliseconds(options.window ?? '10s', 'breaker.window');
    this.openMs = toMilliseconds(options.openFor ?? '2s', 'breaker.openFor');
  }

  get state(): CircuitState {
    if (this.current === 'open' && Date.now() >= this.openUntil) return 'half-open';
    return this.current;
  }

  /**
   * Runs `call` unless the breaker refuses it. Failures are recorded and rethrown.
   * Only the probe decides a half-open breaker. A call admitted before the breaker last opened
   * has no say: its success says nothing about the tier now, and its failure is already counted.
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const probe = this.current !== 'closed' && this.admitProbe();
    const openings = this.openings;
    try {
      const result = await call();
      if (probe) {
        await this.beforeClose();
        this.transition('closed');
      }
      return result;
    } catch (error) {
      if (probe) this.open();
      else if (openings === this.openings && this.current === 'closed') this.recordFailure();
      throw error instanceof TierUnavailableError ? error : new TierUnavailableError(this.tier, (error as Error).message, { cause: error });
    } finally {
      if (probe) this.probing = false;
    }
  }

  /** Lets this call through as the one probe, or throws. */
  private admitProbe(): true {
    if (this.current === 'open' && Date.now() >= this.openUntil) this.transition('half-open');
    if (this.current === 'open' || this.probing) {
      throw new TierUnavailableError(this.tier, `circuit ${this.current}`);
    }
    this.probing = true;
    return true;
  }

  private recordFailure(): void {
    const now = Date.now();
    this.failures = this.failures.filter((at) => now - at < this.windowMs);
    this.failures.push(now);
    if (this.failures.length >= this.threshold) this.open();
  }

  private open(): void {
    this.openings++;
    this.openUntil = Date.now() + this.openMs;
    this.failures = [];
    this.transition('open');
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.onChange(next, previous);
  }
}
