import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/** Options of {@link instrumentTieredCache} and `TieredCacheTelemetryModule`. */
export interface TieredCacheTelemetryOptions {
  /** Where spans go. Default: the global provider, a no-op until the app registers an SDK. */
  tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global provider, a no-op until the app registers an SDK. */
  meterProvider?: MeterProvider;
  /** Draw a span per call. Default `true`. */
  traces?: boolean;
  /** Record the counters and histograms. Default `true`. */
  metrics?: boolean;
  /**
   * The `tiered_cache.key.prefix` of a span: a low-cardinality part of the key that says what kind
   * of entry it is. Default: the text before the first `:` (`product` for `product:42`, `~user` for
   * a per-user key), none for a key without one. `false`: no such attribute.
   */
  keyPrefix?: ((key: string) => string | undefined) | false;
  /**
   * Put the whole key on spans as `tiered_cache.key`. Default `false`: keys hold ids, and scoped
   * keys the user or tenant.
   */
  recordKeys?: boolean;
}

/** The text before the first `:`, at most 64 characters; `undefined` without a `:`. */
export function defaultKeyPrefix(key: string): string | undefined {
  const end = key.indexOf(':');
  return end <= 0 ? undefined : key.slice(0, Math.min(end, 64));
}
