import type { WriteBehindMonitor } from '../write-behind/write-behind.types.js';

/** How a failing cache tier or bus counts: `degraded` keeps HTTP 200 (the default), `down` gives 503. */
export type CacheFailureStatus = 'degraded' | 'down';

/** Options of the cache indicators. */
export interface CacheCheckOptions {
  /** Longest wait for one check. Default 1,000 ms. */
  timeoutMs?: number;
  /** Default `degraded`: the app serves without the cache tier (see docs/operations.md). */
  failureStatus?: CacheFailureStatus;
}

/** A connection whose state the bus indicator reports, e.g. the PostgreSQL LISTEN listener. */
export interface ConnectionState {
  readonly connected: boolean;
}

/** Options of {@link TieredCacheHealthModule}. */
export interface TieredCacheHealthOptions extends CacheCheckOptions {
  /**
   * Checks the source-of-truth database. Resolve = up, reject or time out = down (HTTP 503). The
   * signal is aborted at the timeout. Example: `() => dataSource.query('SELECT 1')`.
   * Without it, `/health` checks no source database.
   */
  sourceCheck?: (signal: AbortSignal) => Promise<unknown>;
  /** Key of the source check in the response. Default `database`. */
  sourceKey?: string;
  /** The PostgreSQL LISTEN listener, reported as `listener` (a cache-sync connection: degraded when down). */
  listener?: ConnectionState;
  /** A write-behind queue, reported as `write_behind`: degraded when its lag passes its bound (docs/write-behind.md). */
  writeBehind?: WriteBehindMonitor;
  /** Heap limit of the `memory_heap` check, in bytes (down = 503). Default 1 GiB; `false` skips it. */
  heapThresholdBytes?: number | false;
}

/** Options that shape the module itself, so they cannot come from an async factory. */
export interface TieredCacheHealthExtras {
  /** Route prefix of the probes. Default `health`. */
  path?: string;
  /** Serve `/health`, `/health/ready`, `/health/live`. Default `true`; `false` only provides the indicators. */
  controller?: boolean;
  /** Extra decorators for the controller class, e.g. the app's `Public()` so probes need no token. */
  decorators?: ClassDecorator[];
}
