import { toMilliseconds, type Duration } from '../core/duration.js';
import type { AlertTransition } from './alert-evaluator.js';

/** Option `webhook` of the alerts module. */
export interface AlertWebhookOptions {
  /** `http:` or `https:` URL that receives a JSON POST on every fire and resolve. */
  url: string;
  /** Extra request headers, e.g. `{ authorization: 'Bearer ...' }`. */
  headers?: Record<string, string>;
  /** Attempts per notification, the first included. Default `5`. */
  attempts?: number;
  /** Wait before the first retry; doubled for each later one. Default `'1s'`. */
  backoff?: Duration;
  /** Timeout of one attempt. Default `'5s'`. */
  timeout?: Duration;
}

/** The JSON body POSTed to the webhook. */
export interface AlertWebhookPayload {
  /** `firing` or `resolved`. */
  readonly status: AlertTransition['kind'];
  /** The cache namespace and instance that evaluated the alert. */
  readonly namespace: string;
  readonly instanceId: string;
  readonly alert: AlertTransition['alert'];
}

/** What one notification came to. */
export interface AlertDelivery {
  readonly ok: boolean;
  readonly attempts: number;
  /** `true` when this state change had already been notified and nothing was sent. */
  readonly duplicate: boolean;
  readonly error?: string;
}

/** Validated {@link AlertWebhookOptions}; throws naming the setting (`<prefix>.<field>`). */
export function resolveWebhookOptions(options: AlertWebhookOptions, prefix = 'webhook'): Required<Omit<AlertWebhookOptions, 'backoff' | 'timeout'>> & { backoffMs: number; timeoutMs: number } {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new Error(`${prefix}.url must be an absolute http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${prefix}.url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
  const attempts = options.attempts ?? 5;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) throw new Error(`${prefix}.attempts must be an integer from 1 to 20, got ${JSON.stringify(attempts)}`);
  const timeoutMs = toMilliseconds(options.timeout ?? '5s', `${prefix}.timeout`);
  if (timeoutMs === 0) throw new Error(`${prefix}.timeout must be more than 0`);
  return { url: url.href, headers: options.headers ?? {}, attempts, backoffMs: toMilliseconds(options.backoff ?? '1s', `${prefix}.backoff`), timeoutMs };
}

/**
 * POSTs alert state changes to a webhook. A failed attempt (network error, timeout, non-2xx) is
 * retried with exponential backoff. Deduplicated by state change (alert id, status and since-when),
 * so re-sending the same transition, e.g. after a retry loop raced a new evaluation, posts once.
 * Deliveries are sequential, so the receiver sees a fire before its resolve.
 */
export class AlertWebhookNotifier {
  private readonly options: ReturnType<typeof resolveWebhookOptions>;
  private readonly sent = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    options: AlertWebhookOptions,
    private readonly source: { namespace: string; instanceId: string },
  ) {
    this.options = resolveWebhookOptions(options);
  }

  /** Sends one transition; resolves when delivered or given up (never rejects). */
  notify(transition: AlertTransition): Promise<AlertDelivery> {
    const { alert } = transition;
    const key = `${alert.id}|${transition.kind}|${transition.kind === 'firing' ? alert.firingSince : alert.resolvedAt}`;
    if (this.sent.has(key)) return Promise.resolve({ ok: true, attempts: 0, duplicate: true });
    this.sent.add(key);
    // Bounded: only the latest transitions can be re-sent by mistake.
    if (this.sent.size > 1000) this.sent.delete(this.sent.values().next().value as string);
    const payload: AlertWebhookPayload = { status: transition.kind, namespace: this.source.namespace, instanceId: this.source.instanceId, alert };
    // One at a time, in order: a resolve must not overtake the fire it ends while that is retried.
    const delivery = this.queue.then(() => this.deliver(JSON.stringify(payload)));
    this.queue = delivery;
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
    return delivery;
  }

  /** Stops retrying and waits for the attempts under way. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(body: string): Promise<AlertDelivery> {
    let error = '';
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      if (attempt > 1) {
        if (this.closed) return { ok: false, attempts: attempt - 1, duplicate: false, error };
        await sleep(this.options.backoffMs * 2 ** (attempt - 2));
      }
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { ...this.options.headers, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return { ok: true, attempts: attempt, duplicate: false };
        error = `HTTP ${response.status}`;
      } catch (cause) {
        error = cause instanceof Error ? cause.message : String(cause);
      }
    }
    return { ok: false, attempts: this.options.attempts, duplicate: false, error };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
