import { W_AFTER_OUTAGE_MS } from './contract.js';
import type { CachedValue, FaultEvent, HistoryData, Op } from './history.js';
import { affects, type Violation } from './judge.js';

/** Most lines an excerpt shows before eliding the middle. */
const MAX_LINES = 40;

const ms = (t: number | undefined, t0: number) => (t === undefined ? '…' : `${(t - t0).toFixed(1)}`);
const where = (op: Op) => (op.instance < 0 ? 'db' : `i${op.instance}`);
const show = (value: CachedValue | null | undefined) =>
  value == null ? 'undefined' : `${value.id}${value.version !== undefined ? ` v${value.version}` : ''}`;

export function describeOp(op: Op, t0: number): string {
  const args =
    op.kind === 'invalidateTags'
      ? `[${op.tags!.join(',')}]`
      : op.kind === 'clear'
        ? ''
        : op.kind === 'sql'
          ? `row k${op.key} -> v${op.version ?? '?'}`
          : op.kind === 'appWrite'
            ? `row k${op.key} -> v${op.version ?? '?'}, then invalidateTags [${op.tags!.join(',')}]`
          : `k${op.key}${op.value ? ` = ${show(op.value)}` : ''}`;
  const outcome =
    op.outcome === 'pending' ? 'PENDING' : op.outcome === 'error' ? `error ${op.error!.name}: ${op.error!.message.slice(0, 60)}` : op.result !== undefined ? `-> ${show(op.result)}` : 'ok';
  return `[${ms(op.invoke, t0)} .. ${ms(op.complete, t0)}] #${op.id} ${where(op)} ${op.kind} ${args} ${outcome}${op.note ? ` (${op.note})` : ''}`;
}

const describeFault = (fault: FaultEvent, t0: number) =>
  `[${ms(fault.start, t0)} .. ${ms(fault.end, t0)}] FAULT ${fault.target} ${fault.kind}${fault.detail ? ` ${fault.detail}` : ''}`;

/** The first moment of the history, which excerpts count from. */
export function historyStart(history: HistoryData): number {
  // A loop, not Math.min(...): a long run has more operations than a call may take arguments.
  let start = Number.POSITIVE_INFINITY;
  for (const op of history.ops) if (op.invoke < start) start = op.invoke;
  for (const fault of history.faults) if (fault.start < start) start = fault.start;
  return start;
}

/**
 * The lines that show one violation: the read, the event that produced its value, the event that
 * should have hidden it, and every operation on that key and fault in between.
 */
export function excerpt(violation: Violation, history: HistoryData, t0: number): string[] {
  const read = violation.op;
  if (violation.kind !== 'stale-read') return [describeOp(read, t0)];
  const producer = violation.producer!;
  const from = producer.kind === 'set' ? producer.op.invoke : producer.run.invoke;
  const to = read.complete ?? read.invoke;
  const key = read.key!;
  const lines: Array<{ at: number; text: string }> = [];
  for (const op of history.ops) {
    const touches = op.key === key || affects(op, key, history.keyTags);
    if (!touches || op.invoke > to || (op.complete ?? Infinity) < from) continue;
    const mark = op === read ? '  <== VIOLATING READ' : op === violation.hiddenBy ? '  <== should have hidden it' : producer.kind === 'set' && op === producer.op ? '  <== produced the value' : '';
    lines.push({ at: op.invoke, text: describeOp(op, t0) + mark });
  }
  if (producer.kind === 'load') {
    const run = producer.run;
    lines.push({ at: run.invoke, text: `[${ms(run.invoke, t0)} .. ${ms(run.complete, t0)}] ${run.id} i${run.instance} loader of #${run.op} read v${run.version ?? '?'}  <== produced the value` });
  }
  // Faults that ended shortly before still matter: a breaker stays open, a skew persists.
  for (const fault of history.faults) {
    const recent = (fault.end ?? Infinity) >= from - W_AFTER_OUTAGE_MS || fault.target === 'clock';
    if (fault.start <= to && recent) lines.push({ at: fault.start, text: describeFault(fault, t0) });
  }
  lines.sort((a, b) => a.at - b.at);
  lines.push({ at: Infinity, text: `deadline for the hiding event: ${ms(violation.deadline, t0)}; read began ${ms(read.invoke, t0)}` });
  const texts = lines.map((line) => line.text);
  if (texts.length <= MAX_LINES) return texts;
  const keep = MAX_LINES / 2;
  return [...texts.slice(0, keep), `... ${texts.length - MAX_LINES} lines ...`, ...texts.slice(-keep)];
}

export interface ClassReport {
  readonly cls: string;
  readonly count: number;
  /** Chaos time until the first violation of the class, and how many operations had begun by then. */
  readonly firstAfterMs: number;
  readonly firstAfterOps: number;
  readonly excerpt: string[];
}

/** One entry per class of violation, each with its shortest excerpt. */
export function summarize(violations: readonly Violation[], history: HistoryData): ClassReport[] {
  const t0 = historyStart(history);
  const invokes = history.ops.map((op) => op.invoke).sort((a, b) => a - b);
  const byClass = new Map<string, Violation[]>();
  for (const v of violations) byClass.set(v.cls, [...(byClass.get(v.cls) ?? []), v]);
  return [...byClass.entries()].map(([cls, list]) => {
    const first = list.reduce((a, b) => (b.op.invoke < a.op.invoke ? b : a));
    const excerpts = list.slice(0, 200).map((v) => excerpt(v, history, t0));
    const shortest = excerpts.reduce((a, b) => (b.length < a.length ? b : a));
    return {
      cls,
      count: list.length,
      firstAfterMs: Math.round(first.op.invoke - t0),
      firstAfterOps: invokes.filter((t) => t <= first.op.invoke).length,
      excerpt: shortest,
    };
  });
}

export function formatReport(seed: number, reports: readonly ClassReport[]): string {
  if (reports.length === 0) return `chaos seed ${seed}: no violations`;
  const parts = [`chaos seed ${seed}: ${reports.length} class(es) of violation. Replay with CHAOS_SEED=${seed}`];
  for (const r of reports) {
    parts.push(`\n== ${r.cls}: ${r.count}x, first after ${r.firstAfterMs} ms / ${r.firstAfterOps} ops (times in ms since start)`);
    parts.push(...r.excerpt.map((line) => `   ${line}`));
  }
  return parts.join('\n');
}
