import { withTimeout } from '../health/with-timeout.js';
import type { CacheCleanupService } from '../maintenance/cache-cleanup.service.js';

/** The whole `cache_entries` table (every namespace), as cleanup's caps and expiry see it. */
export interface L3Size {
  readonly rows: number;
  readonly bytes: number;
  /** Rows past `expires_at`: dead for reads, waiting for cleanup. */
  readonly expiredRows: number;
  /** The maintenance module's caps, when set. */
  readonly maxRows?: number;
  readonly maxBytes?: number;
}

const TIMEOUT_MS = 2_000;
/** Metrics scrapes and alert evaluations within a second share one query. */
const MAX_AGE_MS = 1_000;

/**
 * Reads the L3 table's size for the L3 alerts and their metrics. One aggregate query, shared
 * between callers for a second, with a timeout: a slow database must not stall a scrape.
 */
export class L3SizeProbe {
  private cached: { at: number; size: Promise<L3Size | undefined> } | undefined;
  private latest: L3Size | undefined;

  constructor(private readonly cleanup: CacheCleanupService) {}

  /** The last size read, without querying. */
  get last(): L3Size | undefined {
    return this.latest;
  }

  /** The size now (or up to a second ago); `undefined` when the query fails or there is no store. */
  read(now = Date.now()): Promise<L3Size | undefined> {
    if (this.cached && now - this.cached.at < MAX_AGE_MS) return this.cached.size;
    const size = this.query().catch(() => undefined);
    this.cached = { at: now, size };
    return size;
  }

  private async query(): Promise<L3Size | undefined> {
    const store = this.cleanup.store;
    if (!store) return undefined;
    const { rows } = await withTimeout('l3 size', TIMEOUT_MS, () =>
      store.pool.query<Record<string, string>>(
        `SELECT count(*) AS rows, coalesce(sum(byte_size), 0) AS bytes, count(*) FILTER (WHERE expires_at <= now()) AS expired_rows
         FROM ${store.s}.cache_entries`,
      ),
    );
    const row = rows[0]!;
    const { maxRows, maxBytes } = this.cleanup.caps;
    this.latest = { rows: Number(row.rows), bytes: Number(row.bytes), expiredRows: Number(row.expired_rows), maxRows, maxBytes };
    return this.latest;
  }
}

const probes = new WeakMap<CacheCleanupService, L3SizeProbe>();

/** The probe of a maintenance module's store, shared by metrics and alerts. */
export function l3SizeProbe(cleanup: CacheCleanupService): L3SizeProbe {
  let probe = probes.get(cleanup);
  if (!probe) {
    probe = new L3SizeProbe(cleanup);
    probes.set(cleanup, probe);
  }
  return probe;
}
