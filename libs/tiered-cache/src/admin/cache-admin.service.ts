import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { toMilliseconds } from '../core/duration.js';
import type { CacheStats } from '../core/stats.js';
import { TieredCache } from '../core/tiered-cache.js';
import { withTimeout } from '../health/with-timeout.js';
import { CacheCleanupService } from '../maintenance/cache-cleanup.service.js';
import { l3Tier, resolveOpsStore, type OpsStore } from '../maintenance/ops-store.js';
import { LatencyWindows, roundMs, tierTimings, type TierTiming } from '../metrics/tier-timing.js';
import { RedisTier } from '../tiers/redis/redis.tier.js';
import { tagsAreValid, type TierName } from '../tiers/tier.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import type { ClearScope, EntrySort } from './admin.dto.js';
import type { TieredCacheAdminOptions } from './admin.options.js';
import { analyzeCache, DEFAULT_REPORT_THRESHOLDS, type CacheReport, type L3Facts, type ReuseGroup } from './cache-report.js';

export interface LatencySummary {
  /** Milliseconds; `null` until a call was timed. */
  p50: number | null;
  p99: number | null;
  samples: number;
}

export interface EntryRow {
  key: string;
  tags: string[];
  sizeBytes: number;
  hitCount: number;
  createdAt: string;
  lastAccessedAt: string;
  staleAt: string;
  expiresAt: string;
  state: 'fresh' | 'stale';
}

export type TierPresence =
  | { state: 'disabled' }
  | { state: 'absent' }
  | { state: 'error'; message: string }
  | {
      state: 'fresh' | 'stale' | 'invalidated';
      /** Milliseconds until stale (negative: stale since). */
      staleInMs: number;
      /** Milliseconds until the entry no longer exists. */
      expiresInMs: number;
      tags: readonly string[];
      sizeBytes: number;
      hitCount?: number;
      lastAccessedAt?: string;
    };

/** There is no L3 table to read: the cache has no PostgreSQL tier and no pool was given. */
export class NoL3Error extends Error {
  constructor() {
    super('This needs the L3 (PostgreSQL) tier, which is not configured');
    this.name = 'NoL3Error';
  }
}

const SORT_SQL: Record<EntrySort, string> = {
  hits: 'hit_count DESC, key',
  recent: 'last_accessed_at DESC, key',
  size: 'byte_size DESC, key',
};
const INSPECT_TIMEOUT_MS = 1_000;

/** Escapes `\`, `%` and `_` so that `text` matches literally in `LIKE ... ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** What the admin endpoints read and do, apart from HTTP. */
@Injectable()
export class CacheAdminService implements OnModuleDestroy {
  readonly store: OpsStore | undefined;
  /** `store` when the cache has an L3 tier, whose entries the L3 figures read; fixed once the cache is built. */
  private readonly l3Store: OpsStore | undefined;
  private readonly latency = new LatencyWindows();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly cache: TieredCache,
    @Inject(TIERED_CACHE_ADMIN_OPTIONS) private readonly options: TieredCacheAdminOptions,
    @Optional() private readonly cleanup?: CacheCleanupService,
  ) {
    this.store = resolveOpsStore(cache, options);
    this.l3Store = l3Tier(cache) ? this.store : undefined;
    this.unsubscribe = tierTimings(cache).subscribe((timing) => this.latency.record(timing));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  async stats(): Promise<Record<string, unknown>> {
    const stats = this.cache.stats();
    const tiers: Record<string, unknown> = {};
    for (const [name, tier] of Object.entries(stats.tiers)) {
      if (!tier) continue;
      tiers[name] =
        name === 'l1'
          ? { ...tier, latencyMs: null }
          : { ...tier, latencyMs: { get: this.summary(name as TierName, 'get'), set: this.summary(name as TierName, 'set') } };
    }
    let l3: unknown = null;
    if (this.l3Store) {
      try {
        l3 = await this.l3Totals(this.l3Store);
      } catch (error) {
        l3 = { error: (error as Error).message };
      }
    }
    const writeBehind = this.options.writeBehind ? await this.options.writeBehind.status().catch((error: Error) => ({ error: error.message })) : null;
    return { ...stats, generatedAt: new Date().toISOString(), tiers, l3, writeBehind };
  }

  async entries(query: { tag?: string; prefix?: string; limit?: number; sort?: EntrySort }): Promise<{ namespace: string; count: number; entries: EntryRow[] }> {
    const store = this.requireStore();
    const { rows } = await store.pool.query<{
      key: string;
      tags: string[];
      byte_size: number;
      hit_count: string;
      created_at: Date;
      last_accessed_at: Date;
      stale_at: Date;
      expires_at: Date;
      stale: boolean;
    }>(
      `SELECT key, tags, byte_size, hit_count, created_at, last_accessed_at, stale_at, expires_at, stale_at <= now() AS stale
       FROM ${store.s}.cache_entries
       WHERE namespace = $1 AND expires_at > now()
         AND ($2::text IS NULL OR tags @> ARRAY[$2::text])
         AND ($3::text IS NULL OR key LIKE $3 ESCAPE '\\')
       ORDER BY ${SORT_SQL[query.sort ?? 'recent']} LIMIT $4`,
      [store.namespace, query.tag ?? null, query.prefix === undefined ? null : `${escapeLike(query.prefix)}%`, query.limit ?? 50],
    );
    const entries = rows.map((row) => ({
      key: row.key,
      tags: row.tags,
      sizeBytes: row.byte_size,
      hitCount: Number(row.hit_count),
      createdAt: row.created_at.toISOString(),
      lastAccessedAt: row.last_accessed_at.toISOString(),
      staleAt: row.stale_at.toISOString(),
      expiresAt: row.expires_at.toISOString(),
      state: row.stale ? ('stale' as const) : ('fresh' as const),
    }));
    return { namespace: store.namespace, count: entries.length, entries };
  }

  /** Where `key` is, in each tier of this instance, and how long it has left there. */
  async inspect(key: string): Promise<{ key: string; storageKey: string; namespace: string; present: boolean; tiers: Record<TierName, TierPresence> }> {
    const storageKey = this.cache.storageKey(key);
    const now = Date.now();
    const tiers: Record<TierName, TierPresence> = { l1: { state: 'disabled' }, l2: { state: 'disabled' }, l3: { state: 'disabled' } };
    for (const { name, tier } of this.cache.tiers()) {
      try {
        if (name === 'l1') {
          const entry = this.cache.l1?.peek(storageKey, now);
          tiers.l1 = entry ? presence(entry, now, 'fresh') : { state: 'absent' };
        } else if (tier instanceof RedisTier) {
          const read = await withTimeout('l2 read', INSPECT_TIMEOUT_MS, () => tier.get(storageKey));
          tiers.l2 = read.entry ? presence(read.entry, now, tagsAreValid(read.entry, read.tagStamps) ? 'fresh' : 'invalidated') : { state: 'absent' };
        } else if (name === 'l3' && this.store) {
          tiers.l3 = await withTimeout('l3 read', INSPECT_TIMEOUT_MS, () => this.inspectL3(this.store!, storageKey, now));
        }
      } catch (error) {
        tiers[name] = { state: 'error', message: (error as Error).message };
      }
    }
    const present = Object.values(tiers).some((tier) => tier.state === 'fresh' || tier.state === 'stale');
    return { key, storageKey, namespace: this.cache.namespace, present, tiers };
  }

  async delete(key: string): Promise<{ key: string; storageKey: string; deleted: true }> {
    await this.cache.delete(key);
    return { key, storageKey: this.cache.storageKey(key), deleted: true };
  }

  async invalidate(tags: readonly string[]): Promise<{ invalidated: number; tags: string[] }> {
    const unique = [...new Set(tags)];
    await this.cache.invalidateTags(unique, { source: 'admin' });
    return { invalidated: unique.length, tags: unique };
  }

  /**
   * `namespace`: `cache.clear()` (every tier, and L1 of every instance through the bus).
   * `all`: that, plus every other namespace's rows in L3 and keys in L2. Other namespaces' L1
   * copies on other processes then live out their L1 lifetime (default cap 1 minute).
   */
  async clear(scope: ClearScope): Promise<Record<string, unknown>> {
    await this.cache.clear();
    if (scope === 'namespace') return { namespace: this.cache.namespace };
    let l3RowsDeleted = 0;
    if (this.l3Store) {
      for (;;) {
        const { rowCount } = await this.l3Store.pool.query(
          `DELETE FROM ${this.l3Store.s}.cache_entries WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${this.l3Store.s}.cache_entries LIMIT 10000))`,
        );
        l3RowsDeleted += rowCount ?? 0;
        if (!rowCount) break;
      }
    }
    const redis = this.cache.tiers().find((entry) => entry.tier instanceof RedisTier)?.tier as RedisTier | undefined;
    const l2KeysDeleted = redis ? await redis.clearAllNamespaces() : 0;
    return { namespace: this.cache.namespace, allNamespaces: true, l3RowsDeleted, l2KeysDeleted };
  }

  async report(): Promise<CacheReport> {
    const thresholds = { ...DEFAULT_REPORT_THRESHOLDS, ...this.options.report };
    const stats: CacheStats = this.cache.stats();
    let l3: L3Facts | undefined;
    if (this.l3Store) l3 = await this.l3Facts(this.l3Store, thresholds.minAgeMs, thresholds.minGroupEntries);
    const caps = this.cleanup?.caps;
    return analyzeCache(
      {
        stats,
        l3,
        caps: caps && (caps.maxRows !== undefined || caps.maxBytes !== undefined) ? caps : undefined,
        cleanup: this.cleanup ? { intervalMs: this.cleanup.intervalMs, lastRunAt: await this.cleanup.lastRunAt().catch(() => undefined) } : undefined,
        now: new Date(),
      },
      thresholds,
    );
  }

  /** Lifetime of clear confirmation tokens, in ms. */
  get confirmationTtlMs(): number {
    return toMilliseconds(this.options.confirmationTtl ?? '60s', 'confirmationTtl');
  }

  private requireStore(): OpsStore {
    if (!this.l3Store) throw new NoL3Error();
    return this.l3Store;
  }

  private summary(tier: TierName, operation: TierTiming['operation']): LatencySummary {
    const window = this.latency.get(tier, operation);
    if (!window) return { p50: null, p99: null, samples: 0 };
    const [p50, p99] = window.percentiles(50, 99);
    return { p50: roundMs(p50), p99: roundMs(p99), samples: window.size };
  }

  private async l3Totals(store: OpsStore): Promise<Record<string, number>> {
    const { rows } = await store.pool.query<Record<string, string>>(
      `SELECT count(*) FILTER (WHERE namespace = $1) AS rows,
              coalesce(sum(byte_size) FILTER (WHERE namespace = $1), 0) AS bytes,
              count(*) FILTER (WHERE namespace = $1 AND expires_at <= now()) AS expired_rows,
              count(*) AS table_rows, coalesce(sum(byte_size), 0) AS table_bytes
       FROM ${store.s}.cache_entries`,
      [store.namespace],
    );
    const row = rows[0]!;
    return {
      rows: Number(row.rows),
      bytes: Number(row.bytes),
      expiredRows: Number(row.expired_rows),
      tableRows: Number(row.table_rows),
      tableBytes: Number(row.table_bytes),
    };
  }

  private async inspectL3(store: OpsStore, storageKey: string, now: number): Promise<TierPresence> {
    const { rows } = await store.pool.query<{
      tags: string[];
      byte_size: number;
      hit_count: string;
      last_accessed_at: Date;
      stale_at: Date;
      expires_at: Date;
      valid: boolean;
    }>(
      `SELECT e.tags, e.byte_size, e.hit_count, e.last_accessed_at, e.stale_at, e.expires_at,
              NOT EXISTS (SELECT 1 FROM unnest(e.tags) AS t(tag) JOIN ${store.s}.cache_tag_clock c ON c.tag = t.tag
                          WHERE c.stamp >= e.created_stamp) AS valid
       FROM ${store.s}.cache_entries e WHERE e.namespace = $1 AND e.key = $2 AND e.expires_at > now()`,
      [store.namespace, storageKey],
    );
    const row = rows[0];
    if (!row) return { state: 'absent' };
    const staleAt = row.stale_at.getTime();
    return {
      state: !row.valid ? 'invalidated' : now < staleAt ? 'fresh' : 'stale',
      staleInMs: staleAt - now,
      expiresInMs: row.expires_at.getTime() - now,
      tags: row.tags,
      sizeBytes: row.byte_size,
      hitCount: Number(row.hit_count),
      lastAccessedAt: row.last_accessed_at.toISOString(),
    };
  }

  private async l3Facts(store: OpsStore, minAgeMs: number, minGroupEntries: number): Promise<L3Facts> {
    const minAge = minAgeMs / 1_000;
    const { rows } = await store.pool.query<Record<string, string>>(
      `SELECT count(*) AS rows, coalesce(sum(byte_size), 0) AS bytes,
              count(*) FILTER (WHERE expires_at <= now()) AS expired_rows,
              count(*) FILTER (WHERE namespace = $1 AND expires_at > now() AND created_at < now() - make_interval(secs => $2)) AS judged,
              count(*) FILTER (WHERE namespace = $1 AND expires_at > now() AND created_at < now() - make_interval(secs => $2)
                               AND hit_count = 0) AS never_reused
       FROM ${store.s}.cache_entries`,
      [store.namespace, minAge],
    );
    const judged = `namespace = $1 AND expires_at > now() AND created_at < now() - make_interval(secs => $2)`;
    const order = `ORDER BY sum(hit_count)::float8 / (sum(hit_count) + count(*)) ASC, count(*) DESC LIMIT 10`;
    const groups = await store.pool.query<{ kind: 'tag' | 'prefix'; name: string; entries: string; hits: string; unused: string }>(
      `(SELECT 'tag' AS kind, t.tag AS name, count(*) AS entries, sum(hit_count) AS hits, count(*) FILTER (WHERE hit_count = 0) AS unused
        FROM ${store.s}.cache_entries, unnest(tags) AS t(tag) WHERE ${judged}
        GROUP BY t.tag HAVING count(*) >= $3 ${order})
       UNION ALL
       (SELECT 'prefix', split_part(key, ':', 1), count(*), sum(hit_count), count(*) FILTER (WHERE hit_count = 0)
        FROM ${store.s}.cache_entries WHERE ${judged} AND strpos(key, ':') > 0
        GROUP BY split_part(key, ':', 1) HAVING count(*) >= $3 ${order})`,
      [store.namespace, minAge, minGroupEntries],
    );
    const row = rows[0]!;
    return {
      rows: Number(row.rows),
      bytes: Number(row.bytes),
      expiredRows: Number(row.expired_rows),
      judgedRows: Number(row.judged),
      neverReusedRows: Number(row.never_reused),
      groups: groups.rows.map(
        (group): ReuseGroup => ({
          kind: group.kind,
          name: group.kind === 'prefix' ? `${group.name}:` : group.name,
          entries: Number(group.entries),
          hits: Number(group.hits),
          unused: Number(group.unused),
        }),
      ),
    };
  }
}

function presence(
  entry: { staleAt: number; expiresAt: number; tags: readonly string[]; size: number },
  now: number,
  validity: 'fresh' | 'invalidated',
): TierPresence {
  return {
    state: validity === 'invalidated' ? 'invalidated' : now < entry.staleAt ? 'fresh' : 'stale',
    staleInMs: Math.round(entry.staleAt - now),
    expiresInMs: Math.round(entry.expiresAt - now),
    tags: entry.tags,
    sizeBytes: entry.size,
  };
}
