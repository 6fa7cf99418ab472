/**
 * The recorder: every operation with its instance, invocation and completion time, arguments and
 * result or error; every loader run; every fault. Times come from {@link clockMs}, comparable
 * across processes, so child processes can send their histories to a parent to be judged together.
 */

import { KEY_TAGS } from './keyspace.js';

/** What the cache holds for a key: who produced it, identified uniquely. */
export interface CachedValue {
  readonly key: number;
  readonly writer: 'set' | 'load';
  /** `s<op id>` for a set, `l<run id>` for a loader run. */
  readonly id: string;
  /** The source row version a loader read. */
  readonly version?: number;
}

/**
 * `sql`: an UPDATE of a source row made outside the app; its trigger invalidates the row's tag.
 * `appWrite`: the app's own write: an UPDATE the trigger skips, then `invalidateTags()` of the
 * key's tags on one instance (what `@InvalidateTags` does), acknowledged when that resolves.
 */
export type OpKind = 'get' | 'getOrSet' | 'set' | 'delete' | 'invalidateTags' | 'clear' | 'sql' | 'appWrite';

export interface Op {
  readonly id: number;
  readonly kind: OpKind;
  /** Engine instance; -1 for a SQL update (the database, outside the app); an app write's is the one that invalidated. */
  readonly instance: number;
  readonly key?: number;
  readonly tags?: readonly string[];
  /** The value a `set` writes. */
  readonly value?: CachedValue;
  /** The version a SQL update or app write commits. */
  version?: number;
  readonly invoke: number;
  complete?: number;
  outcome: 'pending' | 'ok' | 'error';
  /** What a read returned; null for `undefined`. */
  result?: CachedValue | null;
  error?: { readonly name: string; readonly message: string };
  /** The batch call this operation is one key of (`getMany`, ...), when it is. */
  readonly batch?: string;
  /** The instance's health around the call when not all well (open breakers), for diagnosis. */
  note?: string;
}

export interface LoadRun {
  readonly id: string;
  /** The getOrSet whose loader this is. */
  readonly op: number;
  readonly instance: number;
  readonly key: number;
  readonly invoke: number;
  complete?: number;
  version?: number;
  failed?: boolean;
}

export interface FaultEvent {
  readonly kind: string;
  readonly target: 'redis' | 'pg' | 'bus' | 'clock';
  readonly detail?: string;
  readonly start: number;
  end?: number;
  /**
   * How long past its end the contract lets other instances lag (test/chaos/contract.ts). Zero
   * for faults the engine must absorb without any window: duplicated messages, lost tag clocks, skew.
   */
  readonly allowanceMs: number;
}

/** Milliseconds on a clock shared by every process of the machine, with sub-ms resolution. */
export const clockMs = (): number => performance.timeOrigin + performance.now();

export interface HistoryData {
  /** The tags of each key in this run, so a stored history is judged by its own key space. */
  readonly keyTags?: readonly (readonly string[])[];
  readonly ops: Op[];
  readonly loads: LoadRun[];
  readonly faults: FaultEvent[];
}

export class History implements HistoryData {
  readonly keyTags = KEY_TAGS;
  readonly ops: Op[] = [];
  readonly loads: LoadRun[] = [];
  readonly faults: FaultEvent[] = [];
  private nextOp = 0;
  private nextLoad = 0;

  /** @param idBase keeps op ids unique when several processes record. */
  constructor(private readonly idBase = 0) {}

  begin(op: Omit<Op, 'id' | 'invoke' | 'outcome' | 'value'> & { value?: (id: number) => CachedValue }): Op {
    const id = this.idBase + this.nextOp++;
    const recorded: Op = { ...op, id, value: op.value?.(id), invoke: clockMs(), outcome: 'pending' };
    this.ops.push(recorded);
    return recorded;
  }

  succeed(op: Op, result?: CachedValue | null): void {
    op.complete = clockMs();
    op.outcome = 'ok';
    if (result !== undefined) op.result = result;
  }

  fail(op: Op, error: unknown): void {
    op.complete = clockMs();
    op.outcome = 'error';
    const e = error as Error;
    op.error = { name: e?.constructor?.name ?? typeof error, message: String(e?.message ?? error) };
  }

  startLoad(op: Op, key: number): LoadRun {
    const run: LoadRun = { id: `l${this.idBase + this.nextLoad++}`, op: op.id, instance: op.instance, key, invoke: clockMs() };
    this.loads.push(run);
    return run;
  }

  fault(event: Omit<FaultEvent, 'start'>): FaultEvent {
    const recorded: FaultEvent = { ...event, start: clockMs() };
    this.faults.push(recorded);
    return recorded;
  }

  /** Appends another recorder's history (a child process's). */
  merge(other: HistoryData): void {
    this.ops.push(...other.ops);
    this.loads.push(...other.loads);
    this.faults.push(...other.faults);
  }
}
