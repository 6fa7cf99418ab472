import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sleep } from '../support/cache-fixture.js';
import type { Budget } from './budget.js';
import type { ChildConfig, ChildMessage, ParentMessage } from './child.js';
import { CROSS_PROCESS_CLOCK_MS } from './contract.js';
import { startEnvironment } from './environment.js';
import { FaultInjector } from './faults.js';
import { clockMs, History } from './history.js';
import { conclude, type ChaosResult } from './in-process.run.js';
import { Prng } from './prng.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const REGISTER = new URL('./ts-register.mjs', import.meta.url).href;

/** A child running one engine instance, with the first message of each kind it sent. */
interface Child {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly history: Promise<Extract<ChildMessage, { history: unknown }>['history']>;
}

function spawnChild(config: ChildConfig): Child {
  const child = spawn(process.execPath, ['--no-warnings', '--import', REGISTER, CHILD], {
    env: { ...process.env, CHAOS_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`chaos child ${config.index} exited with ${code} before reporting`))));
  exited.catch(() => undefined);
  const first = <T>(pick: (message: ChildMessage) => T | undefined) =>
    Promise.race([
      new Promise<T>((resolve) => {
        const listen = (message: ChildMessage) => {
          const picked = pick(message);
          if (picked !== undefined) {
            child.off('message', listen);
            resolve(picked);
          }
        };
        child.on('message', listen);
      }),
      exited,
    ]);
  return {
    process: child,
    ready: first((m) => ('ready' in m ? true : undefined)).then(() => undefined),
    history: first((m) => ('history' in m ? m.history : undefined)),
  };
}

/**
 * The multi-process variant: the same workload from `processes` child processes, one engine
 * instance each, on one private Redis and one schema behind the fault proxies. The parent
 * injects the faults (and skews a child's clock over IPC), then judges the merged histories.
 */
export async function runMultiProcess(seed: number, budget: Budget, options: { processes?: number; concurrency?: number } = {}): Promise<ChaosResult> {
  const prng = new Prng(seed);
  const history = new History();
  const env = await startEnvironment();
  const count = options.processes ?? 3;
  const children: Child[] = [];
  let faults: FaultInjector | undefined;
  try {
    for (let index = 0; index < count; index++) children.push(spawnChild({ index, seed, topology: env.topology, concurrency: options.concurrency ?? 6, count }));
    await Promise.all(children.map((child) => child.ready));
    const send = (index: number, message: ParentMessage) => children[index]!.process.send(message);
    faults = new FaultInjector(env, history, prng.fork(2), count, (index, ms) => send(index, { skew: ms }));
    await faults.start();
    const calmUntil = clockMs() + budget.calmMs;
    const faultUntil = calmUntil + budget.faultMs;
    for (let index = 0; index < count; index++) send(index, { go: { calmUntil, faultUntil } });
    await sleep(budget.calmMs);
    await faults.run(faultUntil);
    for (const child of children) history.merge({ ...(await child.history), faults: [] });
  } finally {
    await faults?.close();
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await env.dispose().catch((error: Error) => console.warn(`chaos clean-up failed: ${error.message}`));
  }
  return conclude(seed, history, { clockUncertaintyMs: CROSS_PROCESS_CLOCK_MS });
}
