import { describe, expect, it } from '@jest/globals';
import type { CacheStats, TierStats } from '../core/stats.js';
import { AlertEvaluator } from './alert-evaluator.js';
import { ALERT_RULES } from './alert-rules.js';
import type { AlertSample } from './alert-sample.js';
import { DEFAULT_ALERT_THRESHOLDS, resolveAlertThresholds } from './alert-thresholds.js';

const MINUTE = 60_000;

function tier(hits: number, misses: number, circuit: TierStats['circuit'] = 'n/a'): TierStats {
  return { hits, misses, errors: 0, writes: 0, writeErrors: 0, rejected: 0, hitRatio: 0, circuit };
}

interface Minute {
  l1Hits: number;
  l1Misses: number;
  l2: TierStats['circuit'];
  bus: CacheStats['bus'];
  loaderOk: number;
  loaderError: number;
  listener?: boolean;
}

/** The scenario of deploy/prometheus/tiered-cache.rules.test.yml, instance a, as samples one a minute. */
function scenario(minutes: number, at: (m: number) => Partial<Minute> = () => ({})): AlertSample[] {
  return Array.from({ length: minutes + 1 }, (_, m) => {
    const v: Minute = {
      l1Hits: 5 * m,
      l1Misses: 5 * m,
      l2: m >= 2 && m < 10 ? 'open' : 'closed',
      bus: m >= 1 ? 'disconnected' : 'connected',
      loaderOk: 9 * m,
      loaderError: Math.min(m, 20),
      listener: true,
      ...at(m),
    };
    const stats: CacheStats = {
      namespace: 'n',
      tiers: { l1: tier(v.l1Hits, v.l1Misses), l2: tier(0, v.l1Misses, v.l2) },
      hitRatio: 0,
      loaderCalls: 0,
      coalescedCalls: 0,
      staleServed: 0,
      refreshes: 0,
      lockWaits: 0,
      invalidations: {},
      l1: { entries: 0, bytes: 0 },
      bus: v.bus,
    };
    return { at: m * MINUTE, stats, loaderRuns: { ok: v.loaderOk, error: v.loaderError }, listenerConnected: v.listener };
  });
}

/** Runs the evaluator once a minute up to `until`, returning the states seen per minute. */
function run(samples: AlertSample[], until: number) {
  const evaluator = new AlertEvaluator(ALERT_RULES, DEFAULT_ALERT_THRESHOLDS);
  const transitions: Array<{ minute: number; kind: string; id: string }> = [];
  const states = new Map<number, Map<string, string>>();
  for (let m = 0; m <= until; m++) {
    for (const t of evaluator.evaluate(samples.slice(0, m + 1), m * MINUTE)) transitions.push({ minute: m, kind: t.kind, id: t.alert.id });
    states.set(m, new Map(evaluator.list().map((view) => [view.id, view.state])));
  }
  return { evaluator, transitions, states };
}

describe('AlertEvaluator', () => {
  it('breaker: pending while open for less than `for`, firing after, resolved when closed', () => {
    const { states, transitions, evaluator } = run(scenario(12), 12);
    const id = 'TieredCacheCircuitOpen{tier="l2"}';
    expect(states.get(1)?.get(id)).toBeUndefined();
    expect(states.get(3)?.get(id)).toBe('pending');
    expect(states.get(4)?.get(id)).toBe('firing');
    expect(states.get(9)?.get(id)).toBe('firing');
    expect(states.get(10)?.get(id)).toBe('resolved');
    expect(transitions.filter((t) => t.id === id)).toEqual([
      { minute: 4, kind: 'firing', id },
      { minute: 10, kind: 'resolved', id },
    ]);
    const resolved = evaluator.list().find((view) => view.id === id);
    expect(resolved).toMatchObject({ activeSince: new Date(2 * MINUTE).toISOString(), firingSince: new Date(4 * MINUTE).toISOString(), resolvedAt: new Date(10 * MINUTE).toISOString() });
  });

  it('hit ratio 0.5 < 0.7: pending, then firing after 5 minutes; a healthy ratio never alerts', () => {
    const low = run(scenario(10), 10);
    expect(low.states.get(2)?.get('TieredCacheHitRatioLow')).toBe('pending');
    expect(low.states.get(6)?.get('TieredCacheHitRatioLow')).toBe('firing');
    const healthy = run(scenario(10, (m) => ({ l1Hits: 9 * m, l1Misses: m })), 10);
    expect(healthy.states.get(10)?.get('TieredCacheHitRatioLow')).toBeUndefined();
  });

  it('loader errors 10 % > 5 %: firing, then resolved once the window holds no errors', () => {
    const { states } = run(scenario(30), 30);
    expect(states.get(3)?.get('TieredCacheLoaderErrors')).toBe('pending');
    expect(states.get(12)?.get('TieredCacheLoaderErrors')).toBe('firing');
    expect(states.get(30)?.get('TieredCacheLoaderErrors')).toBe('resolved');
  });

  it('bus down fires after 1 minute; listener down only when a listener reports disconnected', () => {
    const { states } = run(scenario(5, (m) => ({ listener: m >= 2 ? false : true })), 5);
    expect(states.get(3)?.get('TieredCacheBusDown')).toBe('firing');
    expect(states.get(2)?.get('TieredCacheListenerDown')).toBe('pending');
    expect(states.get(3)?.get('TieredCacheListenerDown')).toBe('firing');
    const noListener = run(scenario(5, () => ({ listener: undefined })), 5);
    expect(noListener.states.get(5)?.get('TieredCacheListenerDown')).toBeUndefined();
  });

  it('L3: over a cap for 90 minutes fires; expired rows above the bound fire after 15 minutes', () => {
    const l3 = (m: number) => ({ rows: m >= 10 && m < 130 ? 1200 : 900, bytes: 1000, expiredRows: m >= 20 ? 150_000 : 0, maxRows: 1000 });
    const evaluator = new AlertEvaluator(ALERT_RULES, DEFAULT_ALERT_THRESHOLDS);
    const states = new Map<number, Map<string, string>>();
    const base = scenario(0)[0]!;
    const samples: AlertSample[] = [];
    for (let m = 0; m <= 135; m += 5) {
      samples.push({ ...base, at: m * MINUTE, l3: l3(m) });
      evaluator.evaluate(samples, m * MINUTE);
      states.set(m, new Map(evaluator.list().map((view) => [view.id, view.state])));
    }
    expect(states.get(70)?.get('TieredCacheL3OverCap')).toBe('pending');
    expect(states.get(105)?.get('TieredCacheL3OverCap')).toBe('firing');
    expect(states.get(135)?.get('TieredCacheL3OverCap')).toBe('resolved');
    expect(states.get(30)?.get('TieredCacheL3ExpiredRows')).toBe('pending');
    expect(states.get(40)?.get('TieredCacheL3ExpiredRows')).toBe('firing');
    // No caps, no size read: quiet.
    expect(ALERT_RULES.find((rule) => rule.name === 'TieredCacheL3OverCap')!.evaluate([{ ...base, l3: { rows: 5, bytes: 5, expiredRows: 0 } }], DEFAULT_ALERT_THRESHOLDS)).toEqual([]);
  });

  it('write-behind lag over its bound fires after 2 minutes, per queue, and resolves when drained', () => {
    const lag = [0, 10, 30, 70, 130, 190, 250, 310, 370, 430, 0, 0];
    const evaluator = new AlertEvaluator(ALERT_RULES, DEFAULT_ALERT_THRESHOLDS);
    const states = new Map<number, Map<string, string>>();
    const base = scenario(0)[0]!;
    const samples: AlertSample[] = [];
    for (let m = 0; m < lag.length; m++) {
      samples.push({ ...base, at: m * MINUTE, writeBehind: { queue: 'progress', backlog: 5, lagSeconds: lag[m]!, lagMaxSeconds: 60 } });
      evaluator.evaluate(samples, m * MINUTE);
      states.set(m, new Map(evaluator.list().map((view) => [view.id, view.state])));
    }
    expect(states.get(4)?.get('TieredCacheWriteBehindLag{queue="progress"}')).toBe('pending');
    expect(states.get(6)?.get('TieredCacheWriteBehindLag{queue="progress"}')).toBe('firing');
    expect(states.get(11)?.get('TieredCacheWriteBehindLag{queue="progress"}')).toBe('resolved');
    // No queue given, or unreadable: no sample of it, quiet.
    expect(ALERT_RULES.find((rule) => rule.name === 'TieredCacheWriteBehindLag')!.evaluate([base], DEFAULT_ALERT_THRESHOLDS)).toEqual([]);
  });

  it('a pending alert whose condition clears is dropped, not resolved', () => {
    const { states, transitions } = run(scenario(6, (m) => ({ l2: m === 2 ? 'open' : 'closed' })), 6);
    expect(states.get(2)?.get('TieredCacheCircuitOpen{tier="l2"}')).toBe('pending');
    expect(states.get(3)?.get('TieredCacheCircuitOpen{tier="l2"}')).toBeUndefined();
    expect(transitions.filter((t) => t.id.startsWith('TieredCacheCircuitOpen'))).toEqual([]);
  });
});

describe('resolveAlertThresholds', () => {
  it('overlays the defaults', () => {
    expect(resolveAlertThresholds({ hitRatioMin: 0.9 })).toEqual({ ...DEFAULT_ALERT_THRESHOLDS, hitRatioMin: 0.9 });
  });

  it.each([
    [{ hitRatioMin: 1.5 }, 'thresholds.hitRatioMin must be a number from 0 to 1'],
    [{ loaderErrorRatioMax: Number.NaN }, 'thresholds.loaderErrorRatioMax must be a number from 0 to 1'],
    [{ hitRatioWindow: '10s' }, 'thresholds.hitRatioWindow must be at least 1m'],
    [{ busDownFor: 'soon' }, 'thresholds.busDownFor'],
    [{ circuitOpenFor: -1 }, 'thresholds.circuitOpenFor'],
    [{ hitRatio: 0.5 }, 'thresholds.hitRatio is not a known alert threshold'],
    [{ l3ExpiredRowsMax: 1.5 }, 'thresholds.l3ExpiredRowsMax must be a whole number of 0 or more'],
  ])('rejects %j naming the setting', (given, message) => {
    expect(() => resolveAlertThresholds(given as never)).toThrow(message);
  });
});
