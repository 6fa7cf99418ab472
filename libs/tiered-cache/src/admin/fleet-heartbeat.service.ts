import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';
import { CacheKeyGroups } from '../groups/key-group.service.js';
import type { KeyGroupSnapshot } from '../groups/key-group.stats.js';
import { resolveOpsStore } from '../maintenance/ops-store.js';
import { RedisTier } from '../tiers/redis/redis.tier.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import type { TieredCacheAdminOptions } from './admin.options.js';
import { PostgresFleetStore } from './fleet-heartbeat.pg-store.js';
import { RedisFleetStore, type FleetStore } from './fleet-heartbeat.store.js';
import { fleetInstances, fleetTotals, type FleetInstances, type FleetSummary, type InstanceHeartbeat } from './fleet-status.js';
import { resolveFleetOptions, type ResolvedFleetOptions } from './fleet.options.js';
import { libraryVersion } from './library-version.js';
import { totalReads } from './stats-history.js';

/**
 * Publishes this instance's heartbeat (identity, version, breakers, bus, L1 size, hit ratios,
 * counters) every `fleet.interval` under the cache's Redis key prefix, and reads everyone's for
 * the fleet endpoints. Starts once the app has bootstrapped; stops on module destroy without
 * deleting its key, so a stopped instance shows as `gone` until `fleet.forgetAfter`.
 *
 * Without a Redis tier, heartbeats go to PostgreSQL (`cache_fleet_instances`, created by
 * `fleetSchemaSql`) in the pool and schema of the ops tables. With neither, the endpoints
 * list this instance alone (`source: 'local'`).
 */
@Injectable()
export class FleetHeartbeatService implements OnApplicationBootstrap, OnModuleDestroy {
  /** `undefined` when the admin module was registered with `fleet: false`. */
  readonly options: ResolvedFleetOptions | undefined;
  private readonly store: FleetStore | undefined;
  private readonly source: FleetInstances['source'] = 'local';
  private readonly startedAt = new Date().toISOString();
  private readonly logger = new Logger('TieredCacheFleet');
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly cache: TieredCache,
    @Inject(TIERED_CACHE_ADMIN_OPTIONS) adminOptions: TieredCacheAdminOptions,
    @Optional() private readonly groups?: CacheKeyGroups,
  ) {
    // Checked here, during module init, so a bad value stops the app at start-up.
    this.options = adminOptions.fleet === false ? undefined : resolveFleetOptions(adminOptions.fleet ?? {});
    const redis = cache.tiers().find((entry) => entry.tier instanceof RedisTier)?.tier as RedisTier | undefined;
    // Redis when there is one (a TTL per key, nothing to clean); else the ops tables' PostgreSQL.
    const ops = redis ? undefined : resolveOpsStore(cache, adminOptions);
    if (this.options && redis) {
      this.store = new RedisFleetStore(redis.client, redis.keyPrefix, cache.namespace);
      this.source = 'redis';
    } else if (this.options && ops) {
      this.store = new PostgresFleetStore(ops, cache.namespace);
      this.source = 'postgres';
    }
  }

  /** Whether the heartbeat timer runs. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.options || !this.store) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // A write still in flight would otherwise land after the cache closed its Redis client.
    await this.beating;
  }

  /** This instance's heartbeat as of now. */
  heartbeat(now = Date.now()): InstanceHeartbeat {
    const stats = this.cache.stats();
    const breakers: InstanceHeartbeat['breakers'] = {};
    const hitRatios: InstanceHeartbeat['hitRatios'] = { overall: stats.hitRatio };
    for (const [name, tier] of Object.entries(stats.tiers) as Array<[keyof typeof stats.tiers, NonNullable<(typeof stats.tiers)['l1']>]>) {
      hitRatios[name] = tier.hitRatio;
      if (tier.circuit !== 'n/a') breakers[name] = tier.circuit;
    }
    return {
      instanceId: this.cache.instanceId,
      namespace: this.cache.namespace,
      version: libraryVersion(),
      startedAt: this.startedAt,
      lastSeenAt: new Date(now).toISOString(),
      intervalMs: this.options?.intervalMs ?? 0,
      breakers,
      bus: stats.bus,
      l1: { ...stats.l1 },
      hitRatios,
      stats,
      groups: this.groups?.heartbeatSnapshot(),
    };
  }

  /** Writes one heartbeat now. Never throws: a missed beat only makes this instance look late. */
  beat(): Promise<void> {
    if (!this.options || !this.store) return Promise.resolve();
    if (this.beating) return this.beating;
    const store = this.store;
    const ttlMs = this.options.forgetAfterMs;
    this.beating = (async () => {
      try {
        await store.write(this.heartbeat(), ttlMs);
        if (this.failing) this.logger.log('Fleet heartbeat written again');
        this.failing = false;
      } catch (error) {
        // Logged once per outage, not once per interval.
        if (!this.failing) this.logger.warn(`Fleet heartbeat not written: ${(error as Error).message}`);
        this.failing = true;
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }

  /** The instances that beat within `forgetAfter`, this one always included with its live figures. */
  async instances(now = Date.now()): Promise<FleetInstances> {
    return (await this.read(now)).view;
  }

  /** {@link instances} plus the fleet's summed counters and each instance's own. */
  async summary(now = Date.now()): Promise<FleetSummary> {
    const { view, stats } = await this.read(now);
    const breakdown = view.instances.map((row) => {
      const counters = stats.get(row.instanceId)!;
      return { instanceId: row.instanceId, status: row.status, reads: totalReads(counters), stats: counters };
    });
    const up = breakdown.filter((row) => row.status === 'up').map((row) => row.stats);
    return { ...view, total: fleetTotals(up), breakdown };
  }

  /** The key-group snapshots of the instances up (this one's live), for the fleet's `GET /groups`. */
  async groupSnapshots(now = Date.now()): Promise<{ instances: number; snapshots: KeyGroupSnapshot[]; error?: string }> {
    const { view, groups } = await this.read(now);
    return { instances: view.counts.up, snapshots: [...groups.values()], error: view.error };
  }

  private async read(now: number) {
    const options = this.options ?? resolveFleetOptions();
    let beats: InstanceHeartbeat[] = [];
    let error: string | undefined;
    if (this.store) {
      try {
        beats = await this.store.list();
      } catch (failure) {
        error = (failure as Error).message;
      }
    }
    const self = this.heartbeat(now);
    beats = [...beats.filter((beat) => beat.instanceId !== self.instanceId), self];
    const result = fleetInstances(beats, {
      now,
      selfId: self.instanceId,
      namespace: this.cache.namespace,
      source: error === undefined ? this.source : 'local',
      options,
    });
    if (error !== undefined) result.view.error = `Heartbeats could not be read, only this instance is listed: ${error}`;
    return result;
  }
}
