/**
 * `npm run bench [-- --quick] [-- --only=1,2]`: runs the cases of issue 6 against the local Redis
 * and PostgreSQL (REDIS_URL / DATABASE_URL), prints each case's table and a summary, and rewrites
 * BENCHMARKS.md. Everything it writes lives under its own Redis prefix and PostgreSQL schema,
 * removed at the end.
 */
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { CASES, NOT_YET } from './cases/index.js';
import type { RunSettings } from './cases/types.js';
import { createBenchEnv, machineInfo } from './lib/env.js';
import { renderCaseText, renderMarkdown, renderSummaryText, type CaseReport, type RunReport } from './lib/report.js';

const FULL: RunSettings = {
  quick: false,
  measure: { rounds: 20, time: 300, warmupTime: 50 },
  stampedeRepeats: 30,
  tagCounts: [1_000, 100_000, 1_000_000],
  tagRepeats: 25,
};

const QUICK: RunSettings = {
  quick: true,
  measure: { rounds: 8, time: 120, warmupTime: 30 },
  stampedeRepeats: 10,
  tagCounts: [1_000, 100_000, 1_000_000],
  tagRepeats: 10,
};

interface Args {
  quick: boolean;
  only: Set<string> | undefined;
  output: string;
  /** Overrides the tag-invalidation counts (e.g. `--tag-counts=1000,10000` while developing). */
  tagCounts: number[] | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, only: undefined, output: 'BENCHMARKS.md', tagCounts: undefined };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--only=')) args.only = new Set(arg.slice('--only='.length).split(','));
    else if (arg.startsWith('--output=')) args.output = arg.slice('--output='.length);
    else if (arg.startsWith('--tag-counts=')) args.tagCounts = arg.slice('--tag-counts='.length).split(',').map(Number);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('npm run bench -- [--quick] [--only=1,2,...] [--output=BENCHMARKS.md] [--tag-counts=1000,100000]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return args;
}

/** The command as typed: `npm run bench -- ...` when npm started us, else the node command line. */
function commandLine(argv: readonly string[]): string {
  if (process.env.npm_lifecycle_event === 'bench') return ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  return ['node', ...process.execArgv, 'dist/bench/bench/run.js', ...argv].join(' ');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const settings = { ...(args.quick ? QUICK : FULL) };
  if (args.tagCounts) settings.tagCounts = args.tagCounts;
  const selected = CASES.filter((benchCase) => args.only === undefined || args.only.has(benchCase.id));
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  const started = performance.now();
  const env = await createBenchEnv();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: removing the run\'s Redis keys and schema');
    void env.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(`Redis prefix ${env.prefix}, PostgreSQL schema ${env.schema}; ${args.quick ? 'quick' : 'full'} run of case(s) ${selected.map((c) => c.id).join(', ')}`);

  const reports: CaseReport[] = [];
  let machine;
  let leftover = 0;
  try {
    machine = await machineInfo(env);
    for (const benchCase of selected) {
      const caseStarted = performance.now();
      const report = await benchCase.run({ env, settings, log });
      reports.push(report);
      process.stdout.write(`${renderCaseText(report)}\n`);
      log(`case ${benchCase.id} took ${((performance.now() - caseStarted) / 1000).toFixed(0)} s`);
    }
  } finally {
    log('cleaning up');
    leftover = await env.dispose();
  }
  if (leftover > 0) log(`warning: ${leftover} Redis keys left under ${env.prefix}`);

  const skipped = [...NOT_YET];
  if (args.only) skipped.push(...CASES.filter((c) => !args.only!.has(c.id)).map((c) => `Case ${c.id} (${c.title}): not selected by --only.`));
  const report: RunReport = {
    date: new Date(),
    command: commandLine(argv),
    mode: args.quick ? 'quick' : 'full',
    machine,
    settings: describeSettings(settings),
    durationS: (performance.now() - started) / 1000,
    cases: reports,
    skipped,
  };
  await writeFile(args.output, renderMarkdown(report));
  process.stdout.write(`${renderSummaryText(report)}\n\nWrote ${args.output}\n`);
}

function describeSettings(settings: RunSettings): string {
  const m = settings.measure;
  return (
    `${m.rounds} interleaved rounds × ${m.time} ms per subject (after ${m.warmupTime} ms warm-up); ` +
    `${settings.stampedeRepeats} stampedes per subject; tag counts ${settings.tagCounts.join(', ')} with ${settings.tagRepeats} rounds of 3 invalidations each`
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
