import { toMilliseconds } from '../core/duration.js';
import type { AlertRule } from './alert-rules.js';
import type { AlertSample } from './alert-sample.js';
import type { AlertThresholds } from './alert-thresholds.js';

/** `pending`: condition true for less than the rule's `for`; `firing`: longer; `resolved`: was firing, condition now false. */
export type AlertState = 'pending' | 'firing' | 'resolved';

/** One alert instance (rule + label set), as `GET /admin/cache/alerts` lists it. */
export interface AlertView {
  /** `<rule>` or `<rule>{label="value",...}`: stable across evaluations. */
  readonly id: string;
  readonly name: string;
  readonly severity: AlertRule['severity'];
  readonly summary: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: AlertState;
  /** Value of the condition at the last evaluation it was true. */
  readonly value: number;
  /** When the condition became true (ISO). */
  readonly activeSince: string;
  /** When it started firing (ISO), if it did. */
  readonly firingSince: string | null;
  /** When it resolved (ISO), if it did. */
  readonly resolvedAt: string | null;
}

/** A fire or resolve, the only state changes that are notified. */
export interface AlertTransition {
  readonly kind: 'firing' | 'resolved';
  readonly alert: AlertView;
}

interface Tracked {
  view: AlertView;
  activeAtMs: number;
}

/**
 * Prometheus' alert state machine over in-app samples: a rule whose condition holds becomes
 * `pending`, then `firing` once it has held for the rule's `for`; a pending alert whose condition
 * clears is dropped (as Prometheus does), a firing one becomes `resolved` and is kept for
 * `resolvedRetentionMs` so operators see what happened.
 */
export class AlertEvaluator {
  private readonly active = new Map<string, Tracked>();
  private resolved: AlertView[] = [];

  constructor(
    private readonly rules: readonly AlertRule[],
    private readonly thresholds: AlertThresholds,
    private readonly resolvedRetentionMs = 3_600_000,
    private readonly maxResolved = 100,
  ) {}

  /** Evaluates every rule at `nowMs` (normally the newest sample's time); returns fires and resolves. */
  evaluate(samples: readonly AlertSample[], nowMs: number): AlertTransition[] {
    const transitions: AlertTransition[] = [];
    const seen = new Set<string>();
    for (const rule of this.rules) {
      const forMs = toMilliseconds(rule.forDuration(this.thresholds));
      for (const hit of safeEvaluate(rule, samples, this.thresholds)) {
        const id = alertId(rule.name, hit.labels);
        seen.add(id);
        const tracked = this.active.get(id);
        const activeAtMs = tracked?.activeAtMs ?? nowMs;
        const wasFiring = tracked?.view.state === 'firing';
        const firing = wasFiring || nowMs - activeAtMs >= forMs;
        const view: AlertView = {
          id,
          name: rule.name,
          severity: rule.severity,
          summary: rule.summary,
          labels: hit.labels,
          state: firing ? 'firing' : 'pending',
          value: hit.value,
          activeSince: new Date(activeAtMs).toISOString(),
          firingSince: wasFiring ? tracked.view.firingSince : firing ? new Date(nowMs).toISOString() : null,
          resolvedAt: null,
        };
        this.active.set(id, { view, activeAtMs });
        if (firing && !wasFiring) transitions.push({ kind: 'firing', alert: view });
      }
    }
    for (const [id, tracked] of this.active) {
      if (seen.has(id)) continue;
      this.active.delete(id);
      if (tracked.view.state !== 'firing') continue;
      const view: AlertView = { ...tracked.view, state: 'resolved', resolvedAt: new Date(nowMs).toISOString() };
      this.resolved.unshift(view);
      transitions.push({ kind: 'resolved', alert: view });
    }
    this.resolved = this.resolved.filter((view) => nowMs - Date.parse(view.resolvedAt ?? '') <= this.resolvedRetentionMs).slice(0, this.maxResolved);
    return transitions;
  }

  /** Firing first, then pending, then resolved (newest first). */
  list(): AlertView[] {
    const active = [...this.active.values()].map((tracked) => tracked.view);
    return [...active.filter((view) => view.state === 'firing'), ...active.filter((view) => view.state === 'pending'), ...this.resolved];
  }
}

function safeEvaluate(rule: AlertRule, samples: readonly AlertSample[], thresholds: AlertThresholds) {
  try {
    return rule.evaluate(samples, thresholds);
  } catch {
    // One rule failing on odd stats must not stop the others; it simply reports nothing.
    return [];
  }
}

function alertId(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`);
  return pairs.length ? `${name}{${pairs.join(',')}}` : name;
}
