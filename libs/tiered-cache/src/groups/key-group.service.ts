import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from '../admin/admin.constants.js';
import type { TieredCacheAdminOptions } from '../admin/admin.options.js';
import { sortGroups, type KeyGroupReport, type KeyGroupSort, type SortOrder } from './key-group.report.js';
import { KeyGroupStats, type KeyGroupEntry, type KeyGroupKind, type KeyGroupSnapshot } from './key-group.stats.js';

/** Groups of each kind an instance puts in its heartbeat: the busiest by reads, so a beat stays small. */
export const HEARTBEAT_GROUPS = 50;

/**
 * Where per-group figures can be read by other features (policy suggestions, say) without
 * depending on the admin API: implemented by {@link CacheKeyGroups}.
 */
export interface KeyGroupSource {
  /** Whether groups are counted (`groups: false` turns it off). */
  readonly enabled: boolean;
  /** This instance's groups of one kind, sorted. */
  local(by: KeyGroupKind, sort?: KeyGroupSort, order?: SortOrder): KeyGroupRow[];
}

type KeyGroupRow = KeyGroupReport['groups'][number];

function busiest(entries: KeyGroupEntry[], max: number): KeyGroupEntry[] {
  return entries.length <= max ? entries : [...entries].sort((a, b) => b.reads + b.writes - (a.reads + a.writes)).slice(0, max);
}

/**
 * The admin module's {@link KeyGroupStats}, registered on the cache from construction (so no call
 * of the app's start-up is missed) until the module is destroyed.
 */
@Injectable()
export class CacheKeyGroups implements KeyGroupSource, OnModuleDestroy {
  /** `undefined` with `groups: false`. */
  readonly stats: KeyGroupStats | undefined;
  private readonly stop: (() => void) | undefined;

  constructor(cache: TieredCache, @Inject(TIERED_CACHE_ADMIN_OPTIONS) options: TieredCacheAdminOptions) {
    this.stats = options.groups === false ? undefined : new KeyGroupStats(options.groups ?? {});
    this.stop = this.stats ? cache.observe(this.stats.observer) : undefined;
  }

  get enabled(): boolean {
    return this.stats !== undefined;
  }

  local(by: KeyGroupKind, sort: KeyGroupSort = 'reads', order: SortOrder = 'desc'): KeyGroupRow[] {
    return sortGroups(this.stats?.snapshot()[by] ?? [], sort, order);
  }

  /** This instance's busiest groups, for its heartbeat; `undefined` when not counting. */
  heartbeatSnapshot(): KeyGroupSnapshot | undefined {
    if (!this.stats) return undefined;
    const snapshot = this.stats.snapshot();
    return { prefix: busiest(snapshot.prefix, HEARTBEAT_GROUPS), tag: busiest(snapshot.tag, HEARTBEAT_GROUPS) };
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}
