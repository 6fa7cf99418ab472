import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { TieredCache } from '../core/tiered-cache.js';
import { PostgresTier } from '../tiers/postgres/postgres.tier.js';
import { describeRedisNodes } from '../tiers/redis/redis.nodes.js';
import { RedisTier } from '../tiers/redis/redis.tier.js';
import type { TierName } from '../tiers/tier.js';
import { TIERED_CACHE_HEALTH_OPTIONS } from './health.constants.js';
import type { CacheCheckOptions, CacheFailureStatus, ConnectionState } from './health.options.js';
import { withTimeout } from './with-timeout.js';
import { checkWriteBehind } from './write-behind.health.js';
import type { WriteBehindMonitor } from '../write-behind/write-behind.types.js';

/** What a cache component is, in the `state` field of its result. `status` is terminus's. */
export type CacheComponentState = 'up' | 'down' | 'disabled';

const DEFAULT_TIMEOUT_MS = 1_000;

/**
 * Terminus indicators of the cache's tiers. Every result carries `state`: `up`, `down` or
 * `disabled` (not configured). A `down` tier has terminus status `degraded` by default, so the
 * check stays HTTP 200 and names the tier; `failureStatus: 'down'` makes it fail the check.
 * A check never throws and never waits longer than its timeout.
 *
 * ```ts
 * this.health.check([() => this.cacheHealth.checkTiers(), () => this.cacheHealth.checkBus()]);
 * ```
 */
@Injectable()
export class TieredCacheHealthIndicator {
  constructor(
    private readonly cache: TieredCache,
    private readonly health: HealthIndicatorService,
    @Optional() @Inject(TIERED_CACHE_HEALTH_OPTIONS) private readonly defaults: CacheCheckOptions = {},
  ) {}

  /** Checks L1, L2 and L3 at once: keys `l1`, `l2`, `l3`. */
  async checkTiers(options: CacheCheckOptions = {}): Promise<HealthIndicatorResult> {
    const results = await Promise.all((['l1', 'l2', 'l3'] as const).map((tier) => this.checkTier(tier, tier, options)));
    return Object.assign({}, ...results) as HealthIndicatorResult;
  }

  /**
   * Checks one tier. L1 reports its entries and bytes. L2 sends `PING` and reports its `nodes`
   * (the master it talks to and each replica's state and lag), L3 runs `SELECT 1`, each within the
   * timeout.
   */
  async checkTier<Key extends string>(tier: TierName, key: Key = tier as Key, options: CacheCheckOptions = {}): Promise<HealthIndicatorResult<Key>> {
    const timeoutMs = options.timeoutMs ?? this.defaults?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const failure = options.failureStatus ?? this.defaults?.failureStatus ?? 'degraded';
    const configured = this.cache.tiers().find((entry) => entry.name === tier);
    if (!configured) return this.report(key, 'disabled', failure);
    if (tier === 'l1') {
      const { entries, bytes } = this.cache.stats().l1;
      return this.report(key, 'up', failure, { entries, bytes });
    }
    const circuit = configured.circuit;
    const started = performance.now();
    try {
      await withTimeout(`${tier} ${tier === 'l2' ? 'PING' : 'SELECT 1'}`, timeoutMs, () => ping(configured.tier));
      const responseTimeMs = Math.round(performance.now() - started);
      const redis = configured.tier;
      if (!(redis instanceof RedisTier)) return this.report(key, 'up', failure, { circuit, responseTimeMs });
      const nodes = await withTimeout('l2 INFO replication', timeoutMs, () => describeRedisNodes(redis.client));
      return this.report(key, 'up', failure, { circuit, responseTimeMs, nodes });
    } catch (error) {
      return this.report(key, 'down', failure, { circuit, message: (error as Error).message });
    }
  }

  /** The cross-instance bus (Redis pub/sub): key `bus`. */
  checkBus<Key extends string = 'bus'>(key: Key = 'bus' as Key, options: CacheCheckOptions = {}): HealthIndicatorResult<Key> {
    const failure = options.failureStatus ?? this.defaults?.failureStatus ?? 'degraded';
    const bus = this.cache.stats().bus;
    if (bus === 'disabled') return this.report(key, 'disabled', failure);
    return bus === 'connected' ? this.report(key, 'up', failure) : this.report(key, 'down', failure, { message: 'bus subscriber not connected' });
  }

  /** Any connection with a `connected` flag, e.g. the PostgreSQL LISTEN listener: key `listener`. */
  checkConnection<Key extends string = 'listener'>(
    connection: ConnectionState | undefined,
    key: Key = 'listener' as Key,
    options: CacheCheckOptions = {},
  ): HealthIndicatorResult<Key> {
    const failure = options.failureStatus ?? this.defaults?.failureStatus ?? 'degraded';
    if (!connection) return this.report(key, 'disabled', failure);
    return connection.connected ? this.report(key, 'up', failure) : this.report(key, 'down', failure, { message: 'not connected' });
  }

  /** A write-behind queue: key `write_behind`, degraded when lagging past its bound or unreadable. */
  checkWriteBehind<Key extends string = 'write_behind'>(
    monitor: WriteBehindMonitor,
    key: Key = 'write_behind' as Key,
    options: Pick<CacheCheckOptions, 'timeoutMs'> = {},
  ): Promise<HealthIndicatorResult<Key>> {
    return checkWriteBehind(this.health, monitor, key, options.timeoutMs ?? this.defaults?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  private report<Key extends string>(
    key: Key,
    state: CacheComponentState,
    failure: CacheFailureStatus,
    data: Record<string, unknown> = {},
  ): HealthIndicatorResult<Key> {
    const session = this.health.check(key);
    if (state !== 'down') return session.up({ state, ...data });
    return failure === 'down' ? session.down({ state, ...data }) : session.degraded({ state, ...data });
  }
}

async function ping(tier: unknown): Promise<void> {
  if (tier instanceof RedisTier) {
    const reply = await tier.client.ping();
    if (reply !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(reply)}`);
    return;
  }
  if (tier instanceof PostgresTier) {
    await tier.pool.query('SELECT 1');
    return;
  }
  throw new Error('unknown tier type');
}
