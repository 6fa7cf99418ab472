import { Bench } from 'tinybench';

/** Who a row measures: our engine, a peer library, or a physical-limit baseline. */
export type SubjectKind = 'ours' | 'peer' | 'baseline';

/** One measured subject. `fn` performs `ops` operations, `concurrency` of them at a time. */
export interface BenchTask {
  name: string;
  kind: SubjectKind;
  fn: () => Promise<unknown>;
  /** Operations one call of `fn` performs. Default 1. */
  ops?: number;
  /** 1: the ops run one after the other; n: `fn` is one wave of n concurrent calls. */
  concurrency?: number;
  /** Runs after the rounds: returns a problem (e.g. "loader ran 3 times during a hit case"). */
  check?: () => string | undefined | Promise<string | undefined>;
}

export interface MeasureOptions {
  /** Rounds; every round runs every task once, in a rotated order. */
  rounds: number;
  /** Time budget per task per round (ms). */
  time: number;
  /** Warm-up per task per round (ms). */
  warmupTime: number;
  /** Minimum calls of `fn` per task per round. Default 64 (tinybench's). */
  iterations?: number;
  /** Warm up each task before each round. Default true. */
  warmup?: boolean;
  /**
   * Collect garbage (with `--expose-gc`) before each task. Default true; off for one-call samples,
   * which would otherwise run alongside the collector's background threads.
   */
  gc?: boolean;
}

export interface Measured {
  name: string;
  kind: SubjectKind;
  ops: number;
  concurrency: number;
  /** Median over rounds of the round's ops/s (from the round's median latency). */
  opsPerSec: number;
  /** Median over rounds of the median latency of one op (sequential) or of one wave (concurrent), ms. */
  p50Ms: number;
  /** Median over rounds of the p99 of one call of `fn`, ms; only when that call is one op or one wave. */
  p99Ms: number | undefined;
  /** ops/s of each round, to show the spread. */
  perRound: number[];
  /** Calls of `fn` measured, over all rounds. */
  samples: number;
  problems: string[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Runs the tasks interleaved: `rounds` tinybench runs in one process, each with every task, the
 * order rotated (and reversed every other round) so that no subject always runs first, last, or
 * next to the same neighbour while the machine's load drifts. A garbage collection (with
 * `--expose-gc`) precedes each task, so one subject's garbage is not collected on another's time.
 */
export async function measure(tasks: readonly BenchTask[], options: MeasureOptions): Promise<Measured[]> {
  const perTask = new Map<string, { ops: number[]; p50: number[]; p99: number[]; samples: number }>();
  for (const task of tasks) perTask.set(task.name, { ops: [], p50: [], p99: [], samples: 0 });
  for (let round = 0; round < options.rounds; round++) {
    const order = roundOrder(tasks, round);
    const bench = new Bench({
      time: options.time,
      warmupTime: options.warmupTime,
      iterations: options.iterations ?? 64,
      warmup: options.warmup ?? true,
      warmupIterations: 8,
      throws: true,
      setup: () => {
        if (options.gc !== false) gc?.();
      },
    });
    for (const task of order) bench.add(task.name, task.fn);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: tinybench ended in state ${result.state}`);
      const spec = tasks.find((candidate) => candidate.name === task.name)!;
      const ops = spec.ops ?? 1;
      const concurrency = spec.concurrency ?? 1;
      const record = perTask.get(task.name)!;
      const latency = result.latency;
      record.ops.push((ops * 1000) / latency.p50);
      // Sequential batches: the op's latency is the batch's divided by its size. A concurrent wave:
      // every call in it waits about as long as the whole wave, so the wave's latency is the call's.
      record.p50.push(concurrency === 1 ? latency.p50 / ops : latency.p50);
      record.p99.push(latency.p99);
      record.samples += task.runs;
    }
  }
  const results: Measured[] = [];
  for (const task of tasks) {
    const record = perTask.get(task.name)!;
    const ops = task.ops ?? 1;
    const concurrency = task.concurrency ?? 1;
    const problem = await task.check?.();
    results.push({
      name: task.name,
      kind: task.kind,
      ops,
      concurrency,
      opsPerSec: median(record.ops),
      p50Ms: median(record.p50),
      p99Ms: ops === 1 || ops === concurrency ? median(record.p99) : undefined,
      perRound: record.ops,
      samples: record.samples,
      problems: problem ? [problem] : [],
    });
  }
  return results;
}

/**
 * How many times `a`'s throughput is `b`'s: the median over rounds of the ratio within each round.
 * Subjects of one round ran within a second or so of each other, so a change in the machine's
 * load between rounds cancels out of the ratio instead of landing on whichever ran then.
 */
export function pairedRatio(a: Measured, b: Measured): number {
  if (a.perRound.length !== b.perRound.length) return a.opsPerSec / b.opsPerSec;
  return medianRoundRatio(a.perRound, b.perRound);
}

/** The median over rounds of `a[round] / b[round]` (same-length per-round figures). */
export function medianRoundRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, round) => value / b[round]!));
}

/**
 * The order subjects run in during `round`: rotated by one each round and reversed every other
 * round, so that no subject always runs first, last or right after the same neighbour.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  const order = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 1 ? order.reverse() : order;
}

/** `fn` for `ops` sequential awaited calls; `call` gets a running index (to pick keys). */
export function sequential(ops: number, call: (index: number) => Promise<unknown> | unknown): () => Promise<void> {
  let index = 0;
  return async () => {
    for (let n = 0; n < ops; n++) await call(index++);
  };
}

/** `fn` for one wave of `width` concurrent calls, all awaited. */
export function wave(width: number, call: (index: number) => Promise<unknown>): () => Promise<unknown> {
  let index = 0;
  return () => {
    const calls = new Array<Promise<unknown>>(width);
    for (let n = 0; n < width; n++) calls[n] = call(index++);
    return Promise.all(calls);
  };
}
