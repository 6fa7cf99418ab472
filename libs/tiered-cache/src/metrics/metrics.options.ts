import type { Registry } from 'prom-client';
import type { WriteBehindMonitor } from '../write-behind/write-behind.types.js';

/** Options of {@link TieredCacheMetricsModule}. */
export interface TieredCacheMetricsOptions {
  /**
   * Bearer token required on `GET /metrics`. Empty or unset: the endpoint is open (keep it on an
   * internal port or network then). The library reads no environment variable: pass the app's
   * setting here, e.g. from `forRootAsync`.
   */
  token?: string;
  /** Collect prom-client's default Node.js metrics (process, heap, event loop, GC). Default `true`. */
  defaultMetrics?: boolean;
  /** Labels added to every series, e.g. `{ service: 'api' }`. */
  defaultLabels?: Record<string, string>;
  /** Buckets of `tiered_cache_operation_seconds`, in seconds. */
  buckets?: number[];
  /** Registry to register on. Default: a registry of the module's own (not prom-client's global one). */
  registry?: Registry;
  /** The PostgreSQL LISTEN listener, exposed as `tiered_cache_listener_connected` (for the `TieredCacheListenerDown` alert). */
  listener?: { readonly connected: boolean };
  /** A write-behind queue: `tiered_cache_write_behind_*` series (docs/write-behind.md). */
  writeBehind?: WriteBehindMonitor;
}

/** Options that shape the module itself, so they cannot come from an async factory. */
export interface TieredCacheMetricsExtras {
  /** Route of the endpoint. Default `metrics`. */
  path?: string;
  /** Serve `GET /metrics`. Default `true`; `false` only registers {@link TieredCacheMetrics}. */
  controller?: boolean;
  /**
   * Extra decorators for the controller class, e.g. the app's `Public()` so its global auth guard
   * lets Prometheus through (the token check of this module still applies).
   */
  decorators?: ClassDecorator[];
}
