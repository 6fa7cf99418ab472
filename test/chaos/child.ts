/**
 * One engine instance in a process of its own, for the multi-process checker
 * (multi-process.run.ts): it runs the workload against its instance and sends its history to the
 * parent over IPC. The parent injects the faults, and skews this instance's clock by message.
 */
import pg from 'pg';
import { TEST_DATABASE_URL } from '../support/services.js';
import { startInstance, type ChaosTopology } from './environment.js';
import { History } from './history.js';
import { Prng } from './prng.js';
import { SourceTable } from './source-table.js';
import { runWorkload } from './workload.js';

/** What the parent passes in CHAOS_CHILD. */
export interface ChildConfig {
  readonly index: number;
  readonly seed: number;
  readonly topology: ChaosTopology;
  readonly concurrency: number;
  /** Instances in the whole run, for the reader instance's mix. */
  readonly count: number;
}

/** Parent to child. */
export type ParentMessage = { readonly go: { readonly calmUntil: number; readonly faultUntil: number } } | { readonly skew: number };

/** Child to parent. */
export type ChildMessage = { readonly ready: true } | { readonly history: { ops: History['ops']; loads: History['loads'] } };

/** Op ids of child i start at i × this, so ids (and the value ids made of them) never collide. */
export const ID_SPACING = 1_000_000_000;

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CHAOS_CHILD!) as ChildConfig;
  const send = (message: ChildMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  const instance = await startInstance(config.index, config.topology);
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4, options: `-c search_path=${config.topology.schema},public` });
  const source = new SourceTable(pool, config.topology.schema, config.topology.channel);
  const history = new History((config.index + 1) * ID_SPACING);
  const go = new Promise<{ calmUntil: number; faultUntil: number }>((resolve) => {
    process.on('message', (message: ParentMessage) => {
      if ('go' in message) resolve(message.go);
      else instance.skew.ms = message.skew;
    });
  });
  await send({ ready: true });
  const { calmUntil, faultUntil } = await go;
  const prng = new Prng(config.seed).fork(10 + config.index);
  const workload = { history, instances: [instance], source, concurrency: config.concurrency, instanceCount: config.count };
  await runWorkload({ ...workload, prng: prng.fork(1) }, calmUntil);
  await runWorkload({ ...workload, prng: prng.fork(2) }, faultUntil);
  await instance.close().catch(() => undefined);
  await pool.end().catch(() => undefined);
  await send({ history: { ops: history.ops, loads: history.loads } });
  process.exit(0);
}

main().catch((error: Error) => {
  console.error(`chaos child failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
