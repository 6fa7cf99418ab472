import { toMilliseconds, type Duration } from '../core/duration.js';

/** The numbers the alert rules compare against. Every field has a default (see {@link DEFAULT_ALERT_THRESHOLDS}). */
export interface AlertThresholds {
  /** `TieredCacheHitRatioLow` fires below this ratio (0–1). Default `0.7`. */
  hitRatioMin: number;
  /** Window the hit ratio is measured over. Default `'10m'`. */
  hitRatioWindow: Duration;
  /** How long the ratio must stay low before firing. Default `'5m'`. */
  hitRatioFor: Duration;
  /** How long a breaker must stay open (or half-open) before `TieredCacheCircuitOpen` fires. Default `'2m'`. */
  circuitOpenFor: Duration;
  /** How long the bus must be down before `TieredCacheBusDown` fires. Default `'1m'`. */
  busDownFor: Duration;
  /** How long the LISTEN listener must be down before `TieredCacheListenerDown` fires. Default `'1m'`. */
  listenerDownFor: Duration;
  /** `TieredCacheLoaderErrors` fires above this share of failed loader runs (0–1). Default `0.05`. */
  loaderErrorRatioMax: number;
  /** Window the loader error ratio is measured over. Default `'5m'`. */
  loaderErrorWindow: Duration;
  /** How long the error ratio must stay high before firing. Default `'5m'`. */
  loaderErrorFor: Duration;
  /**
   * How long L3 must stay over a maintenance cap (`maxRows`/`maxBytes`) before `TieredCacheL3OverCap`
   * fires. Default `'90m'`: between two hourly cleanups the table may grow past its cap.
   */
  l3OverCapFor: Duration;
  /** `TieredCacheL3ExpiredRows` fires above this many expired L3 rows (whole table). Default `100000`. */
  l3ExpiredRowsMax: number;
  /** How long expired rows must stay above the bound before firing (the app then starts a cleanup). Default `'15m'`. */
  l3ExpiredRowsFor: Duration;
  /**
   * How long a write-behind queue's lag must stay over its bound (the health check's) before
   * `TieredCacheWriteBehindLag` fires. Default `'2m'`.
   */
  writeBehindLagFor: Duration;
}

/** The defaults, also the values the committed Prometheus rules file is generated with. */
export const DEFAULT_ALERT_THRESHOLDS: Readonly<AlertThresholds> = Object.freeze({
  hitRatioMin: 0.7,
  hitRatioWindow: '10m',
  hitRatioFor: '5m',
  circuitOpenFor: '2m',
  busDownFor: '1m',
  listenerDownFor: '1m',
  loaderErrorRatioMax: 0.05,
  loaderErrorWindow: '5m',
  loaderErrorFor: '5m',
  l3OverCapFor: '90m',
  l3ExpiredRowsMax: 100_000,
  l3ExpiredRowsFor: '15m',
  writeBehindLagFor: '2m',
});

const RATIOS = ['hitRatioMin', 'loaderErrorRatioMax'] as const;
const WINDOWS = ['hitRatioWindow', 'loaderErrorWindow'] as const;
const FORS = ['hitRatioFor', 'circuitOpenFor', 'busDownFor', 'listenerDownFor', 'loaderErrorFor', 'l3OverCapFor', 'l3ExpiredRowsFor', 'writeBehindLagFor'] as const;

/**
 * Defaults overlaid with `given`, checked. Throws naming the setting (`<prefix>.<field>`), so a bad
 * value stops start-up instead of silently never alerting.
 */
export function resolveAlertThresholds(given: Partial<AlertThresholds> = {}, prefix = 'thresholds'): AlertThresholds {
  const known = new Set<string>(Object.keys(DEFAULT_ALERT_THRESHOLDS));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) throw new Error(`${prefix}.${key} is not a known alert threshold`);
  }
  const merged: AlertThresholds = { ...DEFAULT_ALERT_THRESHOLDS };
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of RATIOS) {
    const value = merged[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new Error(`${prefix}.${key} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
    }
  }
  if (!Number.isSafeInteger(merged.l3ExpiredRowsMax) || merged.l3ExpiredRowsMax < 0) {
    throw new Error(`${prefix}.l3ExpiredRowsMax must be a whole number of 0 or more, got ${JSON.stringify(merged.l3ExpiredRowsMax)}`);
  }
  for (const key of WINDOWS) {
    // A rate needs at least two scrapes inside its window; below a minute it is mostly noise.
    if (durationMs(merged[key], `${prefix}.${key}`) < 60_000) throw new Error(`${prefix}.${key} must be at least 1m, got ${JSON.stringify(merged[key])}`);
  }
  for (const key of FORS) durationMs(merged[key], `${prefix}.${key}`);
  return merged;
}

function durationMs(value: Duration, name: string): number {
  const ms = toMilliseconds(value, name);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${name} must be a duration of 0 or more, got ${JSON.stringify(value)}`);
  return ms;
}

/** A duration in Prometheus syntax (`90s`, `5m`), from a {@link Duration}. */
export function promDuration(value: Duration): string {
  const ms = toMilliseconds(value, 'duration');
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
