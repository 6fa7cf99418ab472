import { EXPECTED_ERRORS, STUCK_OP_MS, W_BUS_MS, W_DB_MS, W_SAME_INSTANCE_MS, W_SET_OTHER_INSTANCE_MS } from './contract.js';
import type { FaultEvent, HistoryData, LoadRun, Op, OpKind } from './history.js';
import { KEY_TAGS } from './keyspace.js';

/** The write event a returned value came from. */
export type Producer = { readonly kind: 'set'; readonly op: Op } | { readonly kind: 'load'; readonly run: LoadRun; readonly owner: Op | undefined };

export interface Violation {
  readonly kind: 'stale-read' | 'phantom' | 'unexpected-error' | 'stuck';
  /** Groups violations of one cause, for the report. */
  readonly cls: string;
  readonly op: Op;
  readonly producer?: Producer;
  /** The event that should have hidden the value. */
  readonly hiddenBy?: Op;
  /** When `hiddenBy` must have reached the reader, windows and fault allowances included. */
  readonly deadline?: number;
}

export interface JudgeOptions {
  /** Only these kinds of event hide values (to look at one path, the trigger path say). Default all. */
  readonly hidingKinds?: readonly OpKind[];
  /**
   * How far apart two moments must be to count as ordered: 0 in one process, more when the
   * history was recorded on several processes' clocks (contract.ts, CROSS_PROCESS_CLOCK_MS).
   */
  readonly clockUncertaintyMs?: number;
}

/**
 * Whether `event` ends what `key` held: an erase (delete, an invalidation of a tag the key carries,
 * clear, a committed SQL update of a row whose tag the key carries, an app write, whose
 * invalidation of its key's tags the key shares) or an overwrite (set).
 */
export function affects(event: Op, key: number, keyTags: readonly (readonly string[])[] = KEY_TAGS): boolean {
  switch (event.kind) {
    case 'set':
    case 'delete':
      return event.key === key;
    case 'invalidateTags':
    case 'appWrite':
      return event.tags!.some((tag) => keyTags[key]!.includes(tag));
    case 'clear':
      return true;
    case 'sql': {
      // The row's trigger invalidates the row key's first tag (keyspace.ts, rowTag).
      const tag = keyTags[event.key!]![0];
      return tag !== undefined && keyTags[key]!.includes(tag);
    }
    default:
      return false;
  }
}

/**
 * When `event` must be visible to `reader`: at once on the instance that made the call (for an
 * app write, the one that invalidated); after the bus window on the others; after the database
 * window for a SQL update. A fault that makes a
 * tier unreachable, overlapping that window or recovering when the event is made, pushes it to
 * the fault's end plus its allowance (faults sorted by start, so chained faults extend it in turn).
 */
export function deadline(event: Op, reader: Op, faults: readonly FaultEvent[]): number {
  const completed = event.complete!;
  if (event.kind !== 'sql' && event.instance === reader.instance) return completed + W_SAME_INSTANCE_MS;
  let until = completed + (event.kind === 'sql' ? W_DB_MS : event.kind === 'set' ? W_SET_OTHER_INSTANCE_MS : W_BUS_MS);
  for (const fault of faults) {
    if (fault.allowanceMs === 0) continue;
    const end = fault.end ?? Number.POSITIVE_INFINITY;
    // Recovery outlasts the fault (reconnect back-off, breakers, replays): an event made during
    // that tail is as late as one made during the fault.
    if (fault.start <= until && end + fault.allowanceMs >= event.invoke) until = Math.max(until, end + fault.allowanceMs);
  }
  return until;
}

/**
 * The judge. Each key is a register; every value a read can return was produced by a write event
 * (a `set`, or a loader run for the source version it read). A read returning value v produced by
 * e is a violation when some acknowledged event e2 affecting the key
 *   - began after e completed (e2.invoke > e.complete: e2 is certainly later than e), and
 *   - must have reached the reader before the read began (deadline(e2, read) < read.invoke).
 * e.complete is the set's completion, or for a loaded value the completion of the getOrSet that
 * ran the loader (its caller's acknowledgement that the value is cached). Loader runs never hide
 * anything: a load is a fill, not an acknowledged write; it may be discarded or refused.
 * A loaded value is also checked by its version: a read must not return version n once an update
 * to a later version of that row (whose tag the key carries) has reached the reader, even if the
 * loader ran concurrently with the update (the loader race, docs/consistency.md promise 6). The
 * update is a SQL update (reaches every reader after the database window) or an app write
 * (reaches its own instance when its invalidation resolves, the others after the bus window; so a
 * call there that began afterwards and joined a load of the old version is caught, promise 5).
 * Fail-safe needs no rule of its own: a stale value it serves was produced by an earlier write
 * event, and is judged as any read of it. No erase hid it: allowed, within grace (the engine
 * checks the grace; the run is shorter than it). A delete, clear or invalidation of the key that
 * completed on the reader's instance before the read began, or reached it from another: a
 * violation ("Invalidated is not stale"); the callers that began before it may still get it.
 * Never violations: a read returning undefined; a getOrSet returning the value its own loader just
 * loaded; errors of the expected types (contract.ts).
 */
export function judge(history: HistoryData, options: JudgeOptions = {}): Violation[] {
  const sets = new Map<string, Op>();
  const owners = new Map<number, Op>();
  for (const op of history.ops) {
    if (op.kind === 'set' && op.value) sets.set(op.value.id, op);
    if (op.kind === 'getOrSet') owners.set(op.id, op);
  }
  const loads = new Map(history.loads.map((run) => [run.id, run]));
  const faults = [...history.faults].sort((a, b) => a.start - b.start);
  const eventsByKey = new Map<number, KeyEvents>();
  const keyTags = history.keyTags ?? KEY_TAGS;
  for (let key = 0; key < keyTags.length; key++) {
    const all = history.ops
      .filter((op) => op.outcome === 'ok' && op.complete !== undefined && affects(op, key, keyTags) && (options.hidingKinds?.includes(op.kind) ?? true))
      .sort((a, b) => a.invoke - b.invoke);
    eventsByKey.set(key, { all, ownRow: all.filter((op) => (op.kind === 'sql' || op.kind === 'appWrite') && op.key === key) });
  }

  const violations: Violation[] = [];
  for (const op of history.ops) {
    if (op.outcome === 'pending') {
      violations.push({ kind: 'stuck', cls: `stuck ${op.kind}`, op });
      continue;
    }
    if (op.outcome === 'error') {
      if (!EXPECTED_ERRORS.includes(op.error!.name)) violations.push({ kind: 'unexpected-error', cls: `error ${op.kind}: ${op.error!.name}: ${op.error!.message.slice(0, 80)}`, op });
      continue;
    }
    if ((op.kind !== 'get' && op.kind !== 'getOrSet') || op.result == null) continue;
    const value = op.result;
    const producer: Producer | undefined =
      value.writer === 'set' ? (sets.has(value.id) ? { kind: 'set', op: sets.get(value.id)! } : undefined) : loads.has(value.id) ? { kind: 'load', run: loads.get(value.id)!, owner: owners.get(loads.get(value.id)!.op) } : undefined;
    if (producer === undefined || value.key !== op.key) {
      violations.push({ kind: 'phantom', cls: `phantom value on ${op.kind}`, op });
      continue;
    }
    if (producer.kind === 'load' && producer.run.op === op.id) continue;
    const found = staleness(op, producer, eventsByKey.get(op.key!)!, faults, options.clockUncertaintyMs ?? 0);
    if (found) violations.push(found);
  }
  return violations;
}

/** The events that affect one key, by invocation time; and the updates of its own row (SQL updates, app writes). */
interface KeyEvents {
  readonly all: readonly Op[];
  readonly ownRow: readonly Op[];
}

/** Index of the first event invoked after `time` (events sorted by invocation). */
function firstAfter(events: readonly Op[], time: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (events[mid]!.invoke > time) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * The most overdue event that should have hidden the read's value, if any. Only the events
 * invoked between the value's production and the read are looked at (for the version rule, the
 * row's updates since the loader began, less the longest an operation may take), so a run's
 * judging time grows with its length, not with its square.
 */
function staleness(read: Op, producer: Producer, events: KeyEvents, faults: readonly FaultEvent[], uncertainty: number): Violation | undefined {
  const producedBy = producer.kind === 'set' ? producer.op : producer.owner;
  const produced = producedBy?.complete ?? Number.POSITIVE_INFINITY;
  let worst: { event: Op; deadline: number; rule: 'after' | 'version' } | undefined;
  const consider = (event: Op, rule: 'after' | 'version') => {
    if (event === producedBy) return;
    const until = deadline(event, read, faults);
    if (until + uncertainty < read.invoke && (worst === undefined || until < worst.deadline)) worst = { event, deadline: until, rule };
  };
  for (let i = firstAfter(events.all, produced + uncertainty); i < events.all.length && events.all[i]!.invoke <= read.invoke; i++) consider(events.all[i]!, 'after');
  if (producer.kind === 'load' && producer.run.version !== undefined) {
    const version = producer.run.version;
    const rows = events.ownRow;
    for (let i = firstAfter(rows, producer.run.invoke - STUCK_OP_MS); i < rows.length && rows[i]!.invoke <= read.invoke; i++) {
      if (rows[i]!.version! > version && !(rows[i]!.invoke > produced + uncertainty)) consider(rows[i]!, 'version');
    }
  }
  if (worst === undefined) return undefined;
  const where = worst.event.kind === 'sql' ? 'db' : worst.event.instance === read.instance ? 'same instance' : 'other instance';
  const coalesced = producer.kind === 'load' && producer.owner !== undefined && producer.owner.instance === read.instance && read.invoke < (producer.owner.complete ?? Infinity);
  const cls = `a read served a ${producer.kind === 'set' ? 'set' : 'loaded'} value after ${worst.event.kind} (${where})${worst.rule === 'version' ? ' [by version]' : ''}${coalesced ? ' [coalesced onto a running load]' : ''}`;
  return { kind: 'stale-read', cls, op: read, producer, hiddenBy: worst.event, deadline: worst.deadline };
}
