import { sleep } from '../support/cache-fixture.js';
import { BusCopier } from './bus-copier.js';
import { delayAllowanceMs, MAX_SKEW_MS, PG_QUERY_TIMEOUT_MS, REDIS_COMMAND_TIMEOUT_MS, W_AFTER_OUTAGE_MS } from './contract.js';
import type { ChaosEnvironment } from './environment.js';
import { clockMs, type FaultEvent, type History } from './history.js';
import type { Prng } from './prng.js';

export type FaultKind =
  | 'redis-delay'
  | 'redis-hang'
  | 'redis-cut'
  | 'redis-restart'
  | 'tag-hash-lost'
  | 'pg-delay'
  | 'pg-hang'
  | 'pg-cut'
  | 'bus-duplicate'
  | 'instance-skew'
  | 'pg-clock-skew';

/** How often each fault is drawn. */
export const FAULT_WEIGHTS: Readonly<Record<FaultKind, number>> = {
  'redis-delay': 2,
  'redis-hang': 2,
  'redis-cut': 2,
  'redis-restart': 1,
  'tag-hash-lost': 1,
  'pg-delay': 2,
  'pg-hang': 2,
  'pg-cut': 2,
  'bus-duplicate': 2,
  'instance-skew': 2,
  'pg-clock-skew': 1,
};

/**
 * Injects one fault at a time at random moments, and records each with its start, end and the
 * allowance the contract gives other instances afterwards. Skews persist until skewed again.
 */
export class FaultInjector {
  private readonly copier: BusCopier;

  constructor(
    private readonly env: ChaosEnvironment,
    private readonly history: History,
    private readonly prng: Prng,
    private readonly instances: number,
    /** Sets the wall-clock skew of one instance (in this process, or over IPC to a child). */
    private readonly skewInstance: (index: number, ms: number) => void,
  ) {
    this.copier = new BusCopier(env.redis.url, `${env.topology.prefix}bus`, prng.fork(1));
  }

  async start(): Promise<void> {
    await this.copier.start();
  }

  /** Injects faults until `until` (a {@link clockMs} time), then heals everything. */
  async run(until: number): Promise<void> {
    try {
      for (;;) {
        await sleep(this.prng.int(200, 1_200));
        if (clockMs() >= until) break;
        await this.inject(this.prng.weighted(FAULT_WEIGHTS), until);
      }
    } finally {
      await this.heal();
    }
  }

  async close(): Promise<void> {
    await this.heal();
    await this.copier.close();
  }

  /** Every fault undone (skews stay): traffic passes, Redis runs, no more copies. */
  private async heal(): Promise<void> {
    this.env.redisProxy.pass();
    this.env.pgProxy.pass();
    this.copier.active = false;
    if (!this.redisRunning()) await this.env.redis.start();
  }

  private redisRunning(): boolean {
    try {
      return this.env.redis.pid > 0;
    } catch {
      return false;
    }
  }

  private async inject(kind: FaultKind, until: number): Promise<void> {
    const { redisProxy, pgProxy } = this.env;
    const lasting = (min: number, max: number) => Math.max(0, Math.min(this.prng.int(min, max), until - clockMs()));
    switch (kind) {
      case 'redis-delay':
      case 'pg-delay': {
        const proxy = kind === 'redis-delay' ? redisProxy : pgProxy;
        const ms = this.prng.int(10, kind === 'redis-delay' ? 300 : 400);
        const timeout = kind === 'redis-delay' ? REDIS_COMMAND_TIMEOUT_MS : PG_QUERY_TIMEOUT_MS;
        return this.during(kind, `${ms} ms`, delayAllowanceMs(ms, timeout), lasting(300, 2_000), () => proxy.delay(ms), () => proxy.pass());
      }
      case 'redis-hang':
      case 'pg-hang': {
        const proxy = kind === 'redis-hang' ? redisProxy : pgProxy;
        return this.during(kind, undefined, W_AFTER_OUTAGE_MS, lasting(300, 2_500), () => proxy.hang(), () => proxy.pass());
      }
      case 'redis-cut':
      case 'pg-cut': {
        const proxy = kind === 'redis-cut' ? redisProxy : pgProxy;
        const refuse = this.prng.chance(0.5);
        return this.during(kind, refuse ? 'refusing' : 'once', W_AFTER_OUTAGE_MS, refuse ? lasting(100, 2_000) : 0, () => proxy.cut({ refuse }), () => proxy.pass());
      }
      case 'redis-restart': {
        const down = lasting(0, 500);
        const fault = this.begin(kind, `down ${down} ms, restarted empty`, W_AFTER_OUTAGE_MS);
        await this.env.redis.stop();
        await sleep(down);
        await this.env.redis.start();
        fault.end = clockMs();
        return;
      }
      case 'tag-hash-lost': {
        // The entries stay: what a partial loss (eviction of the hash, a failover that lost one
        // key) leaves behind. The engine may not serve what the lost stamps had invalidated.
        const removed = await this.env.raw.del(`${this.env.topology.prefix}tags`).catch(() => 0);
        this.instant(kind, `DEL ${this.env.topology.prefix}tags (${removed})`, 'redis');
        return;
      }
      case 'bus-duplicate':
        return this.during(kind, undefined, 0, lasting(500, 3_000), () => (this.copier.active = true), () => (this.copier.active = false), 'bus');
      case 'instance-skew': {
        const index = this.prng.int(0, this.instances - 1);
        const ms = this.prng.int(-MAX_SKEW_MS, MAX_SKEW_MS);
        this.skewInstance(index, ms);
        this.instant(kind, `i${index} now() ${ms >= 0 ? '+' : ''}${ms} ms`, 'clock');
        return;
      }
      case 'pg-clock-skew': {
        const ms = this.prng.int(-MAX_SKEW_MS, MAX_SKEW_MS);
        await this.env.source.skewClock(ms);
        this.instant(kind, `cache_clock_micros() ${ms >= 0 ? '+' : ''}${ms} ms`, 'clock');
        return;
      }
    }
  }

  private begin(kind: FaultKind, detail: string | undefined, allowanceMs: number, target?: FaultEvent['target']): FaultEvent {
    return this.history.fault({ kind, target: target ?? (kind.startsWith('pg') ? 'pg' : 'redis'), detail, allowanceMs });
  }

  private instant(kind: FaultKind, detail: string, target: FaultEvent['target']): void {
    const fault = this.begin(kind, detail, 0, target);
    fault.end = fault.start;
  }

  private async during(
    kind: FaultKind,
    detail: string | undefined,
    allowanceMs: number,
    ms: number,
    apply: () => void,
    undo: () => void,
    target?: FaultEvent['target'],
  ): Promise<void> {
    const fault = this.begin(kind, detail, allowanceMs, target);
    apply();
    try {
      await sleep(ms);
    } finally {
      undo();
      fault.end = clockMs();
    }
  }
}
