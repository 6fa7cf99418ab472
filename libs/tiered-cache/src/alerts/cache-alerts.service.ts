import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { toMilliseconds } from '../core/duration.js';
import { TieredCache } from '../core/tiered-cache.js';
import { CacheCleanupService } from '../maintenance/cache-cleanup.service.js';
import { AlertEvaluator, type AlertTransition, type AlertView } from './alert-evaluator.js';
import { ALERT_RULES } from './alert-rules.js';
import type { AlertSample } from './alert-sample.js';
import type { AlertThresholds } from './alert-thresholds.js';
import { AlertWebhookNotifier } from './alert-webhook.notifier.js';
import { TIERED_CACHE_ALERTS_OPTIONS } from './alerts.constants.js';
import type { ResolvedAlertsOptions } from './alerts.options.js';
import { l3SizeProbe, type L3SizeProbe } from './l3-size.probe.js';
import { loaderRuns } from './loader-runs.js';
import type { WriteBehindStatus } from '../write-behind/write-behind.types.js';

/** The body of `GET /admin/cache/alerts`. */
export interface AlertsReport {
  /** When the rules were last evaluated (ISO), `null` before the first evaluation. */
  evaluatedAt: string | null;
  evaluationIntervalMs: number;
  thresholds: AlertThresholds;
  firing: number;
  pending: number;
  /** Firing, then pending, then resolved (newest first). */
  alerts: AlertView[];
}

/**
 * Samples `cache.stats()` every `evaluationInterval`, evaluates {@link ALERT_RULES} over the
 * samples (per instance, like the Prometheus rules per scrape target) and notifies the webhook on
 * each fire and resolve. Samples are kept for the longest rule window only.
 */
@Injectable()
export class CacheAlertsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TieredCacheAlerts');
  private readonly evaluator: AlertEvaluator;
  private readonly notifier: AlertWebhookNotifier | undefined;
  private readonly keepMs: number;
  private samples: AlertSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private evaluatedAt: number | undefined;
  private readonly listeners = new Set<(transition: AlertTransition) => void>();
  private readonly l3: L3SizeProbe | undefined;
  private writeBehind: WriteBehindStatus | undefined;

  constructor(
    private readonly cache: TieredCache,
    @Inject(TIERED_CACHE_ALERTS_OPTIONS) private readonly options: ResolvedAlertsOptions,
    @Optional() private readonly cleanup?: CacheCleanupService,
  ) {
    this.l3 = cleanup?.store ? l3SizeProbe(cleanup) : undefined;
    this.evaluator = new AlertEvaluator(ALERT_RULES, options.thresholds, options.resolvedRetentionMs);
    this.notifier = options.webhook ? new AlertWebhookNotifier(options.webhook, { namespace: cache.namespace, instanceId: cache.instanceId }) : undefined;
    const t = options.thresholds;
    // One interval of slack, so the oldest sample of a full window is still there.
    this.keepMs = Math.max(toMilliseconds(t.hitRatioWindow), toMilliseconds(t.loaderErrorWindow)) + options.evaluationIntervalMs;
    loaderRuns(cache);
  }

  onApplicationBootstrap(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.evaluationIntervalMs);
    this.timer.unref();
  }

  /** Reads the L3 size and the write-behind status (async, when there are), then evaluates. */
  async tick(): Promise<AlertTransition[]> {
    await this.l3?.read();
    // Unreadable: no sample of it, as Prometheus would have no series (the health check reports it).
    this.writeBehind = await this.options.writeBehind?.status().catch(() => undefined);
    return this.evaluate();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.notifier?.close();
  }

  /** Takes a sample now (with the last L3 size read) and evaluates the rules; returns the fires and resolves. */
  evaluate(now = Date.now()): AlertTransition[] {
    const runs = loaderRuns(this.cache);
    this.samples.push({
      at: now,
      stats: this.cache.stats(),
      loaderRuns: { ok: runs.ok, error: runs.error },
      listenerConnected: this.options.listener?.connected,
      l3: this.l3?.last,
      ...(this.writeBehind ? { writeBehind: this.writeBehind } : {}),
    });
    this.samples = this.samples.filter((sample) => sample.at >= now - this.keepMs);
    this.evaluatedAt = now;
    const transitions = this.evaluator.evaluate(this.samples, now);
    for (const transition of transitions) this.announce(transition);
    return transitions;
  }

  /** Registers a callback for fires and resolves (e.g. to start a cleanup); returns its removal. */
  onTransition(listener: (transition: AlertTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  report(): AlertsReport {
    const alerts = this.evaluator.list();
    return {
      evaluatedAt: this.evaluatedAt === undefined ? null : new Date(this.evaluatedAt).toISOString(),
      evaluationIntervalMs: this.options.evaluationIntervalMs,
      thresholds: this.options.thresholds,
      firing: alerts.filter((alert) => alert.state === 'firing').length,
      pending: alerts.filter((alert) => alert.state === 'pending').length,
      alerts,
    };
  }

  /** Expired rows piling up: clean now instead of waiting for the schedule (skipped if a run holds the lock). */
  private startCleanup(): void {
    const cleanup = this.cleanup;
    if (!cleanup?.cleaner) return;
    void cleanup
      .run('alert')
      .then((result) => this.logger.log(`Cleanup started by TieredCacheL3ExpiredRows: ${result.status}, ${result.expiredDeleted} expired rows deleted`))
      .catch((error: unknown) => this.logger.error(`Cleanup started by TieredCacheL3ExpiredRows failed: ${(error as Error).message}`));
  }

  private announce(transition: AlertTransition): void {
    const { alert } = transition;
    const text = `${alert.id} ${transition.kind}: ${alert.summary} (value ${alert.value})`;
    if (transition.kind === 'firing') this.logger.warn(text);
    else this.logger.log(text);
    if (transition.kind === 'firing' && alert.name === 'TieredCacheL3ExpiredRows') this.startCleanup();
    for (const listener of this.listeners) {
      try {
        listener(transition);
      } catch {
        // a listener never stops the evaluation
      }
    }
    void this.notifier?.notify(transition).then((delivery) => {
      if (!delivery.ok) this.logger.error(`Alert webhook failed after ${delivery.attempts} attempts: ${delivery.error}`);
    });
  }
}
