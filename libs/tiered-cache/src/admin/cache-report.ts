import type { PolicySuggestion } from '../policies/policy-suggestions.js';
import type { CacheStats } from '../core/stats.js';

/** Thresholds of the report. Every field has a default. */
export interface ReportThresholds {
  /** Below this overall hit ratio (with at least `minReads` reads), warn. Default 0.5. */
  lowHitRatio?: number;
  /** Reads needed before the overall hit ratio is judged. Default 100. */
  minReads?: number;
  /** Below this L3 reuse ratio a tag or key prefix is reported. Default 0.2. */
  lowReuseRatio?: number;
  /** Entries a tag or prefix needs before it is judged. Default 20. */
  minGroupEntries?: number;
  /** Share of expired rows in L3 above which to warn. Default 0.2. */
  expiredShare?: number;
  /** Expired rows needed before their share is judged. Default 100. */
  minExpiredRows?: number;
  /** Share of an L3 cap above which to warn (critical at 100%). Default 0.9. */
  capShare?: number;
  /** Share of never-reused L3 rows above which to warn. Default 0.5. */
  neverReusedShare?: number;
  /** Rows needed before the never-reused share is judged. Default 100. */
  minRowsForReuse?: number;
  /** Rows younger than this are not judged for reuse. Default 10 minutes (in ms). */
  minAgeMs?: number;
  /** Share of failed calls to a tier above which to warn. Default 0.05. */
  tierErrorShare?: number;
  /** Cleanup is overdue after this many intervals without a run. Default 3. */
  cleanupOverdueIntervals?: number;
}

/** A tag or key prefix and how its L3 rows were reused. */
export interface ReuseGroup {
  kind: 'tag' | 'prefix';
  name: string;
  entries: number;
  /** Sum of the rows' L3 hit counts. */
  hits: number;
  /** Rows never read back from L3. */
  unused: number;
}

export interface L3Facts {
  /** Whole table (every namespace). */
  rows: number;
  bytes: number;
  expiredRows: number;
  /** This namespace, live rows older than `minAgeMs`. */
  judgedRows: number;
  neverReusedRows: number;
  /** Worst-reused tags and prefixes, each with at least `minGroupEntries` rows. */
  groups: ReuseGroup[];
}

export interface ReportInput {
  stats: CacheStats;
  l3?: L3Facts;
  caps?: { maxRows?: number; maxBytes?: number };
  cleanup?: { intervalMs?: number; lastRunAt?: Date };
  now: Date;
}

export type Severity = 'info' | 'warning' | 'critical';

export interface Finding {
  check: string;
  severity: Severity;
  message: string;
  recommendation: string;
  data?: Record<string, unknown>;
}

export interface CacheReport {
  status: 'healthy' | 'warning' | 'critical';
  generatedAt: string;
  namespace: string;
  metrics: Record<string, unknown>;
  findings: Finding[];
  /** Policies suggested from the per-key-group measurements, each with a body ready to apply (docs/policies.md). */
  suggestions?: PolicySuggestion[];
}

export const DEFAULT_REPORT_THRESHOLDS: Required<ReportThresholds> = {
  lowHitRatio: 0.5,
  minReads: 100,
  lowReuseRatio: 0.2,
  minGroupEntries: 20,
  expiredShare: 0.2,
  minExpiredRows: 100,
  capShare: 0.9,
  neverReusedShare: 0.5,
  minRowsForReuse: 100,
  minAgeMs: 600_000,
  tierErrorShare: 0.05,
  cleanupOverdueIntervals: 3,
};

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/**
 * Analyses the cache like seed 003's `analyze_cache_health()`: a status and a list of findings, each
 * with a recommendation. Pure: the caller gathers the facts.
 *
 * Reuse per tag or prefix is measured in L3 (`hit_count`): each row is one fill after a miss, each
 * L3 hit one reuse, so `hits / (hits + entries)` estimates the L3 hit ratio of that group. Reads
 * answered by L1 or L2 never reach L3 and are not counted there.
 */
export function analyzeCache(input: ReportInput, overrides: ReportThresholds = {}): CacheReport {
  const t = { ...DEFAULT_REPORT_THRESHOLDS, ...overrides };
  const { stats, l3 } = input;
  const findings: Finding[] = [];
  // Every read reaches the top tier it uses, so the busiest tier's hits + misses approximate reads.
  const reads = Object.values(stats.tiers).reduce((max, tier) => Math.max(max, tier ? tier.hits + tier.misses : 0), 0);

  if (reads >= t.minReads && stats.hitRatio < t.lowHitRatio) {
    findings.push({
      check: 'hit-ratio',
      severity: 'warning',
      message: `Overall hit ratio is ${pct(stats.hitRatio)} (below ${pct(t.lowHitRatio)}); the loader ran ${stats.loaderCalls} times`,
      recommendation: 'Raise TTLs of frequently read keys, add grace, or warm hot keys; check that keys do not embed volatile values',
      data: { hitRatio: stats.hitRatio, loaderCalls: stats.loaderCalls },
    });
  }

  for (const [tier, tierStats] of Object.entries(stats.tiers)) {
    if (!tierStats) continue;
    if (tierStats.circuit === 'open' || tierStats.circuit === 'half-open') {
      findings.push({
        check: 'circuit-open',
        severity: 'critical',
        message: `The circuit breaker of ${tier} is ${tierStats.circuit}: the tier is being skipped`,
        recommendation: `Check the ${tier === 'l2' ? 'Redis' : 'PostgreSQL'} server and the network; the cache serves from its other tiers meanwhile`,
        data: { tier, circuit: tierStats.circuit, errors: tierStats.errors },
      });
    }
    const calls = tierStats.hits + tierStats.misses + tierStats.errors;
    if (tier !== 'l1' && calls >= t.minReads && tierStats.errors / calls > t.tierErrorShare) {
      findings.push({
        check: 'tier-errors',
        severity: 'warning',
        message: `${pct(tierStats.errors / calls)} of calls to ${tier} failed (${tierStats.errors} of ${calls})`,
        recommendation: 'Look for timeouts or connection errors; raise the command timeout if the server is healthy but slow',
        data: { tier, errors: tierStats.errors, calls },
      });
    }
  }

  if (stats.bus === 'disconnected') {
    findings.push({
      check: 'bus-disconnected',
      severity: 'warning',
      message: 'The cross-instance bus is disconnected: other instances may serve invalidated values from L1 until its TTL',
      recommendation: 'Check Redis pub/sub connectivity; L1 is reset automatically when the bus is back',
    });
  }

  if (l3) {
    if (l3.expiredRows >= t.minExpiredRows && l3.rows > 0 && l3.expiredRows / l3.rows > t.expiredShare) {
      findings.push({
        check: 'expired-rows',
        severity: 'warning',
        message: `${l3.expiredRows} of ${l3.rows} L3 rows (${pct(l3.expiredRows / l3.rows)}) are expired and not yet deleted`,
        recommendation: 'Run cleanup more often (the maintenance module\'s cleanupInterval) or run POST /admin/cache/cleanup now',
        data: { expiredRows: l3.expiredRows, rows: l3.rows },
      });
    }
    for (const [dimension, used, cap] of [
      ['rows', l3.rows, input.caps?.maxRows],
      ['bytes', l3.bytes, input.caps?.maxBytes],
    ] as const) {
      if (cap === undefined || used / cap < t.capShare) continue;
      findings.push({
        check: 'l3-size-cap',
        severity: used >= cap ? 'critical' : 'warning',
        message: `L3 holds ${used} ${dimension}, ${pct(used / cap)} of its cap of ${cap}`,
        recommendation: 'Raise the cap, shorten L3 lifetimes (tierTtl.l3), or keep rarely reused entries out of L3 (tiers: ["l1", "l2"])',
        data: { dimension, used, cap },
      });
    }
    if (l3.judgedRows >= t.minRowsForReuse && l3.neverReusedRows / l3.judgedRows > t.neverReusedShare) {
      findings.push({
        check: 'never-reused',
        severity: 'warning',
        message: `${pct(l3.neverReusedRows / l3.judgedRows)} of L3 rows older than ${Math.round(t.minAgeMs / 60_000)} min were never read back from L3`,
        recommendation: 'If L1/L2 hit ratios are also low these entries are not worth caching; otherwise keep them out of L3 (tiers: ["l1", "l2"])',
        data: { neverReused: l3.neverReusedRows, judged: l3.judgedRows },
      });
    }
    for (const group of l3.groups) {
      if (group.entries < t.minGroupEntries) continue;
      const reuse = group.hits / (group.hits + group.entries);
      if (reuse >= t.lowReuseRatio) continue;
      findings.push({
        check: group.kind === 'tag' ? 'low-reuse-tag' : 'low-reuse-prefix',
        severity: 'info',
        message: `${group.kind === 'tag' ? 'Tag' : 'Key prefix'} ${JSON.stringify(group.name)}: L3 reuse ${pct(reuse)} over ${group.entries} entries (${group.unused} never reused)`,
        recommendation:
          group.kind === 'tag'
            ? 'Entries with this tag are invalidated or expire before they are reused: lengthen their TTL or invalidate more narrowly'
            : 'Keys with this prefix are rarely reused: check the key design (per-request values in keys?) or stop caching them in L3',
        data: { ...group, reuseRatio: reuse },
      });
    }
  }

  const interval = input.cleanup?.intervalMs;
  if (l3 && interval !== undefined) {
    const last = input.cleanup?.lastRunAt;
    const overdue = last === undefined ? undefined : input.now.getTime() - last.getTime();
    if (overdue !== undefined && overdue > interval * t.cleanupOverdueIntervals) {
      findings.push({
        check: 'cleanup-overdue',
        severity: 'warning',
        message: `Cleanup last finished ${Math.round(overdue / 60_000)} min ago; it should run every ${Math.round(interval / 60_000)} min`,
        recommendation: 'Check the application logs for cleanup errors, and that some instance runs the maintenance module',
        data: { lastRunAt: last!.toISOString(), intervalMs: interval },
      });
    }
  }

  const worst = findings.some((f) => f.severity === 'critical') ? 'critical' : findings.some((f) => f.severity === 'warning') ? 'warning' : 'healthy';
  return {
    status: worst,
    generatedAt: input.now.toISOString(),
    namespace: stats.namespace,
    metrics: {
      hitRatio: stats.hitRatio,
      loaderCalls: stats.loaderCalls,
      coalescedCalls: stats.coalescedCalls,
      staleServed: stats.staleServed,
      l1: stats.l1,
      bus: stats.bus,
      circuits: Object.fromEntries(Object.entries(stats.tiers).map(([tier, s]) => [tier, s?.circuit])),
      ...(l3 ? { l3: { rows: l3.rows, bytes: l3.bytes, expiredRows: l3.expiredRows, neverReusedRows: l3.neverReusedRows } } : {}),
      ...(input.caps ? { caps: input.caps } : {}),
    },
    findings,
  };
}
