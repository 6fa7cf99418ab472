import { toMilliseconds, type Duration } from '../core/duration.js';
import { resolveAlertThresholds, type AlertThresholds } from './alert-thresholds.js';
import { resolveWebhookOptions, type AlertWebhookOptions } from './alert-webhook.notifier.js';
import type { WriteBehindMonitor } from '../write-behind/write-behind.types.js';

/** Options of {@link TieredCacheAlertsModule}. The library reads no environment variable: pass the app's settings. */
export interface TieredCacheAlertsOptions {
  /** Overrides of the rule thresholds; the rest keep their defaults. */
  thresholds?: Partial<AlertThresholds>;
  /** How often `cache.stats()` is sampled and the rules evaluated. Default `'15s'` (a usual scrape interval). */
  evaluationInterval?: Duration;
  /** How long resolved alerts stay listed. Default `'1h'`. */
  resolvedRetention?: Duration;
  /** JSON POST on every fire and resolve. Off when unset. */
  webhook?: AlertWebhookOptions;
  /** The PostgreSQL LISTEN listener, for `TieredCacheListenerDown` (e.g. `PostgresInvalidationListener`). */
  listener?: { readonly connected: boolean };
  /** A write-behind queue, for `TieredCacheWriteBehindLag`. */
  writeBehind?: WriteBehindMonitor;
}

/** Options that shape the module itself. */
export interface TieredCacheAlertsExtras {
  /** Route prefix of `GET <path>/alerts`. Default `admin/cache`, beside the admin API. */
  path?: string;
  /** Extra decorators for the controller class. */
  decorators?: ClassDecorator[];
}

/** {@link TieredCacheAlertsOptions} checked and with defaults. */
export interface ResolvedAlertsOptions {
  readonly thresholds: AlertThresholds;
  readonly evaluationIntervalMs: number;
  readonly resolvedRetentionMs: number;
  readonly webhook: AlertWebhookOptions | undefined;
  readonly listener: { readonly connected: boolean } | undefined;
  readonly writeBehind: WriteBehindMonitor | undefined;
}

/**
 * Validates at start-up: a bad value throws naming the setting (`thresholds.hitRatioMin`,
 * `webhook.url`, `evaluationInterval`, ...), so a typo stops the app instead of silencing an alert.
 */
export function resolveAlertsOptions(options: TieredCacheAlertsOptions = {}): ResolvedAlertsOptions {
  const thresholds = resolveAlertThresholds(options.thresholds ?? {}, 'thresholds');
  const evaluationIntervalMs = toMilliseconds(options.evaluationInterval ?? '15s', 'evaluationInterval');
  if (evaluationIntervalMs < 10) throw new Error(`evaluationInterval must be at least 10ms, got ${JSON.stringify(options.evaluationInterval)}`);
  const resolvedRetentionMs = toMilliseconds(options.resolvedRetention ?? '1h', 'resolvedRetention');
  if (options.webhook) resolveWebhookOptions(options.webhook, 'webhook');
  return { thresholds, evaluationIntervalMs, resolvedRetentionMs, webhook: options.webhook, listener: options.listener, writeBehind: options.writeBehind };
}
