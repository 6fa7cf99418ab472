import type { MachineInfo } from './env.js';
import { pairedRatio, type Measured } from './measure.js';

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  /** Columns aligned left in markdown; default: only the first (the rest are figures). */
  leftColumns?: number;
}

/** One recorded target of issue 6: met or not, and the measured ratio. */
export interface TargetResult {
  name: string;
  /** The target as the issue states it. */
  goal: string;
  /** What was measured, e.g. `2.31× (ours 4.1 M ops/s vs 1.8 M ops/s)`. */
  measured: string;
  met: boolean;
}

export interface CaseReport {
  id: string;
  title: string;
  /** What is measured and how each subject is configured (markdown). */
  setup: string[];
  tables: Table[];
  notes: string[];
  targets: TargetResult[];
}

export interface RunReport {
  date: Date;
  command: string;
  mode: 'quick' | 'full';
  machine: MachineInfo;
  settings: string;
  durationS: number;
  cases: CaseReport[];
  skipped: string[];
}

export function formatOps(opsPerSec: number): string {
  if (!Number.isFinite(opsPerSec)) return 'n/a';
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)} M`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)} k`;
  return opsPerSec.toFixed(opsPerSec >= 100 ? 0 : 1);
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1e3).toFixed(ms < 0.01 ? 2 : 1)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** Relative spread of the per-round results: (max - min) / median, as a percentage. */
function spread(values: readonly number[], middle: number): string {
  if (values.length < 2) return '—';
  return `±${((50 * (Math.max(...values) - Math.min(...values))) / middle).toFixed(0)}%`;
}

/**
 * The usual throughput table: one row per subject with its medians, and `reference ÷ row` (the
 * median of the per-round ratios): above 1, the reference (our primary subject) is that many
 * times faster.
 */
export function throughputTable(title: string, results: readonly Measured[], reference: Measured): Table {
  return {
    title,
    columns: ['Subject', 'Kind', 'ops/s (median)', 'Round spread', 'Latency p50', 'Latency p99', `${reference.name} ÷ subject`],
    leftColumns: 2,
    rows: results.map((result) => [
      result.name + (result.problems.length > 0 ? ' ⚠' : ''),
      result.kind,
      formatOps(result.opsPerSec),
      spread(result.perRound, result.opsPerSec),
      formatMs(result.p50Ms),
      formatMs(result.p99Ms),
      result === reference ? '1.00× (reference)' : formatRatio(pairedRatio(reference, result)),
    ]),
  };
}

export function find(results: readonly Measured[], name: string): Measured {
  const found = results.find((result) => result.name === name);
  if (!found) throw new Error(`no result named ${name}`);
  return found;
}

/** A throughput target: `ours ÷ other ≥ min` (a "within n× of" target is `min = 1/n`). */
export function ratioTarget(name: string, goal: string, ours: Measured, other: Measured, min: number): TargetResult {
  const ratio = pairedRatio(ours, other);
  return {
    name,
    goal,
    measured: `${formatRatio(ratio)} (${formatOps(ours.opsPerSec)} vs ${formatOps(other.opsPerSec)} ops/s)`,
    met: ratio >= min,
  };
}

export function problemsOf(results: readonly Measured[]): string[] {
  return results.flatMap((result) => result.problems.map((problem) => `⚠ ${result.name}: ${problem}`));
}

function markdownTable(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${table.columns.map(escape).join(' | ')} |`,
    `| ${table.columns.map((_, index) => (index < (table.leftColumns ?? 1) ? '---' : '---:')).join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

function targetsTable(targets: readonly TargetResult[]): Table {
  return {
    title: 'Targets',
    columns: ['Target', 'Goal', 'Measured', 'Met'],
    leftColumns: 4,
    rows: targets.map((target) => [target.name, target.goal, target.measured, target.met ? 'yes' : '**no**']),
  };
}

export function renderMarkdown(report: RunReport): string {
  const m = report.machine;
  const targets = report.cases.flatMap((section) => section.targets);
  const lines: string[] = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench`; every run replaces this file. See docs/performance.md for the method. -->',
    '',
    `- **Date:** ${report.date.toISOString()}`,
    `- **Command:** \`${report.command}\` (${report.mode} run, ${report.durationS.toFixed(0)} s)`,
    `- **Machine:** ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}`,
    `- **Runtime:** Node ${m.node}; Redis ${m.redis}; PostgreSQL ${m.postgres} (local servers)`,
    `- **Settings:** ${report.settings}`,
    '',
    'Each case runs our engine, the peers and the baselines in one process, interleaved: every round',
    'runs every subject once, in a rotated order, and ops/s and latencies are medians over the rounds.',
    'Ratios are the median of the per-round ratios, so that load changing between rounds cancels out.',
    'The machine is shared (other jobs run on these cores), so absolute numbers are noisy; the ratios',
    'within one run are what count. "Round spread" is (max − min) / median of the per-round ops/s.',
    '',
    '## Targets',
    '',
    markdownTable(targetsTable(targets)),
    '',
  ];
  for (const section of report.cases) {
    lines.push(`## Case ${section.id}: ${section.title}`, '');
    for (const line of section.setup) lines.push(`- ${line}`);
    if (section.setup.length > 0) lines.push('');
    for (const table of section.tables) {
      lines.push(`**${table.title}**`, '', markdownTable(table), '');
    }
    if (section.notes.length > 0) {
      lines.push('Notes:', '');
      for (const note of section.notes) lines.push(`- ${note}`);
      lines.push('');
    }
  }
  if (report.skipped.length > 0) {
    lines.push('## Not run', '');
    for (const skipped of report.skipped) lines.push(`- ${skipped}`);
    lines.push('');
  }
  return lines.join('\n');
}

function textTable(table: Table): string {
  const widths = table.columns.map((column, index) => Math.max(column.length, ...table.rows.map((row) => row[index]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
  return [line(table.columns), widths.map((width) => '-'.repeat(width)).join('  '), ...table.rows.map(line)].join('\n');
}

export function renderCaseText(section: CaseReport): string {
  const parts = [`\n== Case ${section.id}: ${section.title}`];
  for (const table of section.tables) parts.push(`\n${table.title}\n${textTable(table)}`);
  for (const note of section.notes) parts.push(`  - ${note.replace(/`/g, '')}`);
  return parts.join('\n');
}

export function renderSummaryText(report: RunReport): string {
  const targets = report.cases.flatMap((section) => section.targets);
  const m = report.machine;
  return [
    `\n== Summary (${report.mode}, ${report.durationS.toFixed(0)} s; ${m.cpus} × ${m.cpuModel}; Node ${m.node})`,
    textTable({ ...targetsTable(targets), rows: targetsTable(targets).rows.map((row) => row.map((cell) => cell.replace(/\*\*/g, ''))) }),
  ].join('\n');
}
