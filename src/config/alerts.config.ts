import { toMilliseconds, type Duration } from '@tiered-cache/nestjs';
import type { AlertThresholds } from '@tiered-cache/nestjs/admin';
import { ConfigError } from './config.error.js';
import { duration, integer, ratio, text, type Env } from './env-values.js';

/** Alert thresholds and the webhook, read by {@link loadAlerts}. See docs/alerts.md. */
export interface AlertsConfig {
  /**
   * `ALERT_HIT_RATIO_MIN` (0.7), `ALERT_HIT_RATIO_WINDOW` (10m), `ALERT_HIT_RATIO_FOR` (5m),
   * `ALERT_CIRCUIT_OPEN_FOR` (2m), `ALERT_BUS_DOWN_FOR` (1m), `ALERT_LISTENER_DOWN_FOR` (1m),
   * `ALERT_LOADER_ERROR_RATIO_MAX` (0.05), `ALERT_LOADER_ERROR_WINDOW` (5m), `ALERT_LOADER_ERROR_FOR` (5m),
   * `ALERT_L3_OVER_CAP_FOR` (90m), `ALERT_L3_EXPIRED_ROWS_MAX` (100000), `ALERT_L3_EXPIRED_ROWS_FOR` (15m), `ALERT_WRITE_BEHIND_LAG_FOR` (2m).
   * Unset ones keep the library's defaults.
   */
  readonly thresholds: Partial<AlertThresholds>;
  /** `ALERT_EVALUATION_INTERVAL`, default `15s`. */
  readonly evaluationInterval: Duration;
  /** `ALERT_WEBHOOK_URL`: when set, every fire and resolve is POSTed there as JSON. */
  readonly webhookUrl: string | undefined;
}

/**
 * Reads the alert settings.
 * @throws ConfigError naming the first variable that is malformed.
 */
export function loadAlerts(env: Env): AlertsConfig {
  const thresholds: Partial<AlertThresholds> = {};
  const set = <K extends keyof AlertThresholds>(key: K, value: AlertThresholds[K] | undefined) => {
    if (value !== undefined) thresholds[key] = value;
  };
  if (text(env, 'ALERT_HIT_RATIO_MIN') !== undefined) set('hitRatioMin', ratio(env, 'ALERT_HIT_RATIO_MIN', 0));
  set('hitRatioWindow', window(env, 'ALERT_HIT_RATIO_WINDOW'));
  set('hitRatioFor', duration(env, 'ALERT_HIT_RATIO_FOR'));
  set('circuitOpenFor', duration(env, 'ALERT_CIRCUIT_OPEN_FOR'));
  set('busDownFor', duration(env, 'ALERT_BUS_DOWN_FOR'));
  set('listenerDownFor', duration(env, 'ALERT_LISTENER_DOWN_FOR'));
  if (text(env, 'ALERT_LOADER_ERROR_RATIO_MAX') !== undefined) set('loaderErrorRatioMax', ratio(env, 'ALERT_LOADER_ERROR_RATIO_MAX', 0));
  set('loaderErrorWindow', window(env, 'ALERT_LOADER_ERROR_WINDOW'));
  set('loaderErrorFor', duration(env, 'ALERT_LOADER_ERROR_FOR'));
  set('l3OverCapFor', duration(env, 'ALERT_L3_OVER_CAP_FOR'));
  if (text(env, 'ALERT_L3_EXPIRED_ROWS_MAX') !== undefined) set('l3ExpiredRowsMax', integer(env, 'ALERT_L3_EXPIRED_ROWS_MAX', 0, 0, Number.MAX_SAFE_INTEGER));
  set('l3ExpiredRowsFor', duration(env, 'ALERT_L3_EXPIRED_ROWS_FOR'));
  set('writeBehindLagFor', duration(env, 'ALERT_WRITE_BEHIND_LAG_FOR'));
  const interval = duration(env, 'ALERT_EVALUATION_INTERVAL') ?? '15s';
  if (toMilliseconds(interval) < 1000) throw new ConfigError('ALERT_EVALUATION_INTERVAL', `must be at least 1s, got ${JSON.stringify(interval)}`);
  return { thresholds, evaluationInterval: interval, webhookUrl: webhook(env, 'ALERT_WEBHOOK_URL') };
}

/** A rate window: the library needs at least a minute (two scrapes). */
function window(env: Env, name: string): Duration | undefined {
  const value = duration(env, name);
  if (value !== undefined && toMilliseconds(value) < 60_000) throw new ConfigError(name, `must be at least 1m, got ${JSON.stringify(value)}`);
  return value;
}

function webhook(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  // Never echo the value: a webhook URL often carries a token.
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new ConfigError(name, 'must be an http:// or https:// URL');
  return raw;
}
