import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TieredCache } from '../core/tiered-cache.js';
import { TIERED_CACHE_METRICS_OPTIONS } from './metrics.constants.js';
import type { TieredCacheMetricsOptions } from './metrics.options.js';
import { tierTimings } from './tier-timing.js';
import { registerWriteBehindMetrics } from './write-behind.metrics.js';
import { l3SizeProbe, type L3Size } from '../alerts/l3-size.probe.js';
import { loaderRuns } from '../alerts/loader-runs.js';
import { CacheCleanupService } from '../maintenance/cache-cleanup.service.js';

const DEFAULT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The cache's Prometheus metrics. Counters are read from `cache.stats()` at scrape time (the engine
 * keeps the totals, so nothing is counted twice); tier latencies come from {@link tierTimings}.
 */
@Injectable()
export class TieredCacheMetrics implements OnModuleDestroy {
  readonly registry: Registry;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly cache: TieredCache,
    @Inject(TIERED_CACHE_METRICS_OPTIONS) options: TieredCacheMetricsOptions,
    @Optional() cleanup?: CacheCleanupService,
  ) {
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    const registers = [registry];

    new Counter({
      name: 'tiered_cache_requests_total',
      help: 'Reads per tier by result: hit, miss, or error (a failed or refused call to the tier).',
      labelNames: ['tier', 'result'],
      registers,
      collect() {
        this.reset();
        for (const [tier, stats] of Object.entries(cache.stats().tiers)) {
          if (!stats) continue;
          this.inc({ tier, result: 'hit' }, stats.hits);
          this.inc({ tier, result: 'miss' }, stats.misses);
          this.inc({ tier, result: 'error' }, stats.errors);
        }
      },
    });
    new Counter({
      name: 'tiered_cache_payloads_rejected_total',
      help: 'Stored payloads refused by the size or integrity check (forged, tampered, unsigned, too large): never served, removed.',
      labelNames: ['tier'],
      registers,
      collect() {
        this.reset();
        for (const [tier, stats] of Object.entries(cache.stats().tiers)) {
          if (stats && tier !== 'l1') this.inc({ tier }, stats.rejected);
        }
      },
    });
    const histogram = new Histogram({
      name: 'tiered_cache_operation_seconds',
      help: 'Duration of calls to the remote tiers (l2, l3) by operation and result.',
      labelNames: ['tier', 'operation', 'result'],
      buckets: options.buckets ?? DEFAULT_BUCKETS,
      registers,
    });
    this.unsubscribe = tierTimings(cache).subscribe((timing) =>
      histogram.observe({ tier: timing.tier, operation: timing.operation, result: timing.ok ? 'ok' : 'error' }, timing.seconds),
    );
    totalCounter('tiered_cache_loader_calls_total', 'Loader (source) calls.', () => cache.stats().loaderCalls, registers);
    totalCounter('tiered_cache_coalesced_total', 'Calls that waited for a loader already running for the same key.', () => cache.stats().coalescedCalls, registers);
    totalCounter('tiered_cache_stale_served_total', 'Stale values served under the grace rules.', () => cache.stats().staleServed, registers);
    new Counter({
      name: 'tiered_cache_invalidations_total',
      help: 'invalidateTags calls by source (app, db, admin, ...).',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const [source, count] of Object.entries(cache.stats().invalidations)) this.inc({ source }, count);
      },
    });
    new Gauge({
      name: 'tiered_cache_l1_entries',
      help: 'Entries held in L1 (this process).',
      registers,
      collect() {
        this.set(cache.stats().l1.entries);
      },
    });
    new Gauge({
      name: 'tiered_cache_l1_bytes',
      help: 'Serialized bytes held in L1 (this process).',
      registers,
      collect() {
        this.set(cache.stats().l1.bytes);
      },
    });
    new Gauge({
      name: 'tiered_cache_circuit_open',
      help: 'Circuit breaker per remote tier: 1 while open or half-open (tier skipped or probing), 0 when closed.',
      labelNames: ['tier'],
      registers,
      collect() {
        for (const [tier, stats] of Object.entries(cache.stats().tiers)) {
          if (stats && stats.circuit !== 'n/a') this.set({ tier }, stats.circuit === 'closed' ? 0 : 1);
        }
      },
    });
    new Gauge({
      name: 'tiered_cache_bus_connected',
      help: 'Cross-instance bus: 1 connected, 0 disconnected (absent when there is no bus).',
      registers,
      collect() {
        const bus = cache.stats().bus;
        if (bus !== 'disabled') this.set(bus === 'connected' ? 1 : 0);
      },
    });
    // ---- alert inputs (begin): series the rules in alerts/alert-rules.ts read ----
    const runs = loaderRuns(cache);
    new Counter({
      name: 'tiered_cache_loader_runs_total',
      help: 'Finished loader runs (misses and refresh-ahead) by result: ok or error. Counted from start-up.',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        this.inc({ result: 'ok' }, runs.ok);
        this.inc({ result: 'error' }, runs.error);
      },
    });
    const listener = options.listener;
    if (listener) {
      new Gauge({
        name: 'tiered_cache_listener_connected',
        help: 'PostgreSQL LISTEN invalidation listener: 1 connected, 0 disconnected (absent when none was given).',
        registers,
        collect() {
          this.set(listener.connected ? 1 : 0);
        },
      });
    }
    // L3 size, from the maintenance module (its store and caps); absent without it.
    const l3 = cleanup?.store ? l3SizeProbe(cleanup) : undefined;
    if (l3) {
      const l3Gauge = (name: string, help: string, pick: (size: L3Size) => number | undefined) =>
        new Gauge({
          name,
          help,
          registers,
          async collect() {
            const size = await l3.read();
            const value = size ? pick(size) : undefined;
            this.reset();
            if (value !== undefined) this.set(value);
          },
        });
      l3Gauge('tiered_cache_l3_rows', 'Rows in the L3 table (every namespace).', (size) => size.rows);
      l3Gauge('tiered_cache_l3_bytes', 'Payload bytes in the L3 table (every namespace).', (size) => size.bytes);
      l3Gauge('tiered_cache_l3_expired_rows', 'Expired L3 rows waiting for cleanup (every namespace).', (size) => size.expiredRows);
      // A gauge without labels always shows a value, so an unset cap gets no gauge at all.
      const caps = cleanup!.caps;
      if (caps.maxRows !== undefined) l3Gauge('tiered_cache_l3_max_rows', 'The maintenance maxRows cap (absent when unset).', (size) => size.maxRows);
      if (caps.maxBytes !== undefined) l3Gauge('tiered_cache_l3_max_bytes', 'The maintenance maxBytes cap (absent when unset).', (size) => size.maxBytes);
    }
    if (options.writeBehind) registerWriteBehindMetrics(options.writeBehind, registers);
    // ---- alert inputs (end) ----
  }

  /** The exposition text. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}

function totalCounter(name: string, help: string, read: () => number, registers: Registry[]): Counter {
  return new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
