import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Budget } from './budget.js';
import { startEnvironment, startInstance, type ChaosInstance, type ChaosL2, type Sabotage } from './environment.js';
import { FaultInjector } from './faults.js';
import { clockMs, History } from './history.js';
import { judge, type JudgeOptions, type Violation } from './judge.js';
import { Prng } from './prng.js';
import { formatReport, summarize } from './report.js';
import { runWorkload } from './workload.js';

export interface ChaosResult {
  readonly seed: number;
  readonly history: History;
  readonly violations: Violation[];
  readonly report: string;
  /** Where the full history was written, for study after a failure. */
  readonly historyFile: string;
}

export const ARTIFACTS_DIR = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../test-artifacts/chaos');

/**
 * One in-process run: `instances` engines on one private Redis and a PostgreSQL schema, both
 * behind fault proxies, driven by the seeded workload; a calm phase, then a phase with faults;
 * then the judge.
 */
export async function runInProcess(
  seed: number,
  budget: Budget,
  options: { instances?: number; concurrency?: number; without?: Sabotage; l2?: ChaosL2 } = {},
): Promise<ChaosResult> {
  const prng = new Prng(seed);
  const history = new History();
  const env = await startEnvironment(options.without, options.l2);
  const instances: ChaosInstance[] = [];
  let faults: FaultInjector | undefined;
  try {
    for (let i = 0; i < (options.instances ?? 3); i++) instances.push(await startInstance(i, env.topology, options.without));
    faults = new FaultInjector(env, history, prng.fork(2), instances.length, (index, ms) => (instances[index]!.skew.ms = ms));
    await faults.start();
    const workload = { history, instances, source: env.source, concurrency: options.concurrency ?? 12 };
    await runWorkload({ ...workload, prng: prng.fork(3) }, clockMs() + budget.calmMs);
    if (budget.faultMs > 0) {
      const until = clockMs() + budget.faultMs;
      await Promise.all([runWorkload({ ...workload, prng: prng.fork(4) }, until), faults.run(until)]);
    }
  } finally {
    await faults?.close();
    await Promise.all(instances.map((instance) => instance.close().catch(() => undefined)));
    // A failed clean-up must not hide what the run found.
    await env.dispose().catch((error: Error) => console.warn(`chaos clean-up failed: ${error.message}`));
  }
  return conclude(seed, history);
}

/** Judges a history, writes it out, and formats the report. */
export function conclude(seed: number, history: History, options: JudgeOptions = {}): ChaosResult {
  // Written first: if judging fails, the history is still there to study.
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const historyFile = join(ARTIFACTS_DIR, `history-${seed}.json`);
  writeFileSync(historyFile, JSON.stringify(history));
  const violations = judge(history, options);
  const report = formatReport(seed, summarize(violations, history));
  return { seed, history, violations, report, historyFile };
}
