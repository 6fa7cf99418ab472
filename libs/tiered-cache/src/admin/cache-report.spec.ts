import { describe, expect, it } from '@jest/globals';
import type { CacheStats, TierStats } from '../core/stats.js';
import { analyzeCache, type L3Facts, type ReportInput } from './cache-report.js';

const tier = (over: Partial<TierStats> = {}): TierStats => ({
  hits: 900,
  misses: 100,
  errors: 0,
  writes: 100,
  writeErrors: 0,
  rejected: 0,
  hitRatio: 0.9,
  circuit: 'closed',
  ...over,
});

function stats(over: Partial<CacheStats> = {}): CacheStats {
  return {
    namespace: 'ns',
    tiers: { l1: { ...tier(), circuit: 'n/a' }, l2: tier(), l3: tier() },
    hitRatio: 0.9,
    loaderCalls: 100,
    coalescedCalls: 0,
    staleServed: 0,
    invalidations: {},
    l1: { entries: 10, bytes: 1_000 },
    bus: 'connected',
    ...over,
  } as CacheStats;
}

const l3 = (over: Partial<L3Facts> = {}): L3Facts => ({
  rows: 1_000,
  bytes: 100_000,
  expiredRows: 0,
  judgedRows: 500,
  neverReusedRows: 10,
  groups: [],
  ...over,
});

const now = new Date('2026-11-22T12:00:00Z');
const run = (input: Partial<ReportInput>) => analyzeCache({ stats: stats(), now, ...input });
const checks = (input: Partial<ReportInput>) => run(input).findings.map((f) => `${f.check}:${f.severity}`);

describe('analyzeCache', () => {
  it('is healthy when nothing stands out', () => {
    const report = run({ l3: l3(), caps: { maxRows: 10_000 }, cleanup: { intervalMs: 3_600_000, lastRunAt: new Date(now.getTime() - 60_000) } });
    expect(report).toMatchObject({ status: 'healthy', namespace: 'ns', findings: [], generatedAt: now.toISOString() });
    expect(report.metrics).toMatchObject({ hitRatio: 0.9, l3: { rows: 1_000 }, caps: { maxRows: 10_000 } });
  });

  it('flags a low overall hit ratio only with enough reads', () => {
    expect(checks({ stats: stats({ hitRatio: 0.2 }) })).toEqual(['hit-ratio:warning']);
    const few = { l1: { ...tier({ hits: 5, misses: 20 }), circuit: 'n/a' as const }, l2: tier({ hits: 1, misses: 19 }), l3: tier({ hits: 1, misses: 18 }) };
    expect(checks({ stats: stats({ hitRatio: 0.2, tiers: few }) })).toEqual([]);
  });

  it('reports an open or half-open breaker as critical, and a high error share', () => {
    const report = run({ stats: stats({ tiers: { l2: tier({ circuit: 'open', errors: 300 }), l3: tier({ circuit: 'half-open' }) } }) });
    expect(report.status).toBe('critical');
    expect(report.findings.map((f) => `${f.check}:${f.severity}:${f.data?.tier}`)).toEqual([
      'circuit-open:critical:l2',
      'tier-errors:warning:l2',
      'circuit-open:critical:l3',
    ]);
  });

  it('warns about a disconnected bus', () => {
    expect(checks({ stats: stats({ bus: 'disconnected' }) })).toEqual(['bus-disconnected:warning']);
  });

  it('warns about many expired rows', () => {
    expect(checks({ l3: l3({ expiredRows: 300 }) })).toEqual(['expired-rows:warning']);
    expect(checks({ l3: l3({ rows: 200, expiredRows: 60 }) })).toEqual([]); // under the row minimum
  });

  it('warns near an L3 cap and is critical at it', () => {
    expect(checks({ l3: l3({ rows: 950 }), caps: { maxRows: 1_000 } })).toEqual(['l3-size-cap:warning']);
    expect(checks({ l3: l3({ bytes: 2_000 }), caps: { maxBytes: 2_000 } })).toEqual(['l3-size-cap:critical']);
    expect(checks({ l3: l3({ rows: 800 }), caps: { maxRows: 1_000 } })).toEqual([]);
  });

  it('warns when most L3 entries were never reused', () => {
    expect(checks({ l3: l3({ judgedRows: 400, neverReusedRows: 300 }) })).toEqual(['never-reused:warning']);
  });

  it('lists tags and prefixes with a low L3 reuse ratio', () => {
    const report = run({
      l3: l3({
        groups: [
          { kind: 'tag', name: 'products', entries: 100, hits: 5, unused: 95 },
          { kind: 'prefix', name: 'report:', entries: 50, hits: 2, unused: 48 },
          { kind: 'tag', name: 'hot', entries: 100, hits: 900, unused: 0 },
          { kind: 'tag', name: 'tiny', entries: 3, hits: 0, unused: 3 },
        ],
      }),
    });
    expect(report.findings.map((f) => `${f.check}:${f.severity}:${f.data?.name}`)).toEqual(['low-reuse-tag:info:products', 'low-reuse-prefix:info:report:']);
    expect(report.status).toBe('healthy'); // info findings alone do not change the status
  });

  it('warns when cleanup is overdue', () => {
    const lastRunAt = new Date(now.getTime() - 4 * 3_600_000);
    expect(checks({ l3: l3(), cleanup: { intervalMs: 3_600_000, lastRunAt } })).toEqual(['cleanup-overdue:warning']);
  });

  it('honours threshold overrides', () => {
    expect(analyzeCache({ stats: stats({ hitRatio: 0.8 }), now }, { lowHitRatio: 0.95 }).findings.map((f) => f.check)).toEqual(['hit-ratio']);
  });
});
