import { describe, expect, it } from '@jest/globals';
import { W_AFTER_OUTAGE_MS, W_BUS_MS, W_DB_MS, W_SET_OTHER_INSTANCE_MS } from './contract.js';
import type { CachedValue, FaultEvent, HistoryData, LoadRun, Op } from './history.js';
import { judge } from './judge.js';
import { summarize } from './report.js';

/** Hand-made histories: times in ms, instances 0–2, keys and tags of keyspace.ts (k0 [t0], k2 [t0,t1], k3 and k6 none, k7 [t4]). */
let nextId = 0;
function op(fields: Partial<Op> & Pick<Op, 'kind' | 'invoke' | 'complete'>): Op {
  return { id: nextId++, instance: 0, outcome: 'ok', ...fields };
}
const setOp = (instance: number, key: number, invoke: number, complete: number): Op => {
  const id = nextId++;
  return { id, kind: 'set', instance, key, invoke, complete, outcome: 'ok', value: { key, writer: 'set', id: `s${id}` } };
};
const read = (instance: number, key: number, invoke: number, result: CachedValue | null, kind: 'get' | 'getOrSet' = 'get'): Op =>
  op({ kind, instance, key, invoke, complete: invoke + 1, result });
const history = (ops: Op[], loads: LoadRun[] = [], faults: FaultEvent[] = []): HistoryData => ({ ops, loads, faults });
/** The loader run of `owner` (a getOrSet), which read `version` at `invoke`. */
const loaded = (owner: Op, version: number, invoke: number, failed = false): LoadRun => ({
  id: `l${owner.id}`,
  op: owner.id,
  instance: owner.instance,
  key: owner.key!,
  invoke,
  complete: invoke + 5,
  version,
  ...(failed ? { failed } : {}),
});
const value = (run: LoadRun): CachedValue => ({ key: run.key, writer: 'load', id: run.id, version: run.version });

describe('judge', () => {
  it('same instance: a get after a resolved delete may not return the deleted value', () => {
    const set = setOp(0, 0, 0, 10);
    const del = op({ kind: 'delete', key: 0, invoke: 20, complete: 30 });
    const violations = judge(history([set, del, read(0, 0, 31, set.value!)]));
    expect(violations).toHaveLength(1);
    expect(violations[0]!.hiddenBy).toBe(del);
    expect(violations[0]!.cls).toContain('same instance');
  });

  it('other instance: allowed within the bus window, a violation after it', () => {
    const set = setOp(0, 0, 0, 10);
    const del = op({ kind: 'delete', key: 0, instance: 0, invoke: 20, complete: 30 });
    expect(judge(history([set, del, read(1, 0, 30 + W_BUS_MS - 1, set.value!)]))).toHaveLength(0);
    expect(judge(history([set, del, read(1, 0, 30 + W_BUS_MS + 1, set.value!)]))).toHaveLength(1);
  });

  it('an erase concurrent with the write does not hide it (either order is possible)', () => {
    const set = setOp(0, 0, 0, 50);
    const del = op({ kind: 'delete', key: 0, invoke: 10, complete: 20 });
    expect(judge(history([set, del, read(0, 0, 1_000, set.value!)]))).toHaveLength(0);
  });

  it('a later set hides an earlier one on the same instance', () => {
    const first = setOp(0, 0, 0, 10);
    const second = setOp(0, 0, 20, 30);
    expect(judge(history([first, second, read(0, 0, 40, first.value!)]))).toHaveLength(1);
    expect(judge(history([first, second, read(0, 0, 40, second.value!)]))).toHaveLength(0);
  });

  it('a get returning undefined is never a violation', () => {
    const set = setOp(0, 0, 0, 10);
    expect(judge(history([set, read(0, 0, 20, null)]))).toHaveLength(0);
  });

  it('invalidating a tag the key does not carry hides nothing; one it carries does', () => {
    const set = setOp(0, 0, 0, 10);
    const other = op({ kind: 'invalidateTags', tags: ['t2'], invoke: 20, complete: 30 });
    const own = op({ kind: 'invalidateTags', tags: ['t0'], invoke: 20, complete: 30 });
    expect(judge(history([set, other, read(0, 0, 40, set.value!)]))).toHaveLength(0);
    expect(judge(history([set, own, read(0, 0, 40, set.value!)]))).toHaveLength(1);
  });

  it('with a clock uncertainty, moments closer than it are unordered', () => {
    const set = setOp(1, 0, 0, 10);
    const later = setOp(0, 0, 10.5, 12);
    expect(judge(history([set, later, read(0, 0, 20, set.value!)]))).toHaveLength(1);
    expect(judge(history([set, later, read(0, 0, 20, set.value!)]), { clockUncertaintyMs: 1 })).toHaveLength(0);
  });

  it('can be restricted to the events of one path', () => {
    const set = setOp(0, 0, 0, 10);
    const del = op({ kind: 'delete', key: 0, invoke: 20, complete: 30 });
    expect(judge(history([set, del, read(0, 0, 31, set.value!)]), { hidingKinds: ['sql'] })).toHaveLength(0);
  });

  it('clear hides every key', () => {
    const set = setOp(1, 4, 0, 10);
    const clear = op({ kind: 'clear', instance: 1, invoke: 20, complete: 30 });
    expect(judge(history([set, clear, read(1, 4, 40, set.value!)]))).toHaveLength(1);
  });

  it('set-only key: another instance\'s set hides the value it replaced after the set window', () => {
    const first = setOp(0, 6, 0, 10);
    const second = setOp(0, 6, 1_000, 1_010);
    expect(judge(history([first, second, read(2, 6, 1_010 + W_SET_OTHER_INSTANCE_MS - 1, first.value!)]))).toHaveLength(0);
    const late = judge(history([first, second, read(2, 6, 1_010 + W_SET_OTHER_INSTANCE_MS + 1, first.value!)]));
    expect(late.map((v) => v.cls)).toEqual(['a read served a set value after set (other instance)']);
  });

  describe('loaded values', () => {
    it('a getOrSet returning what its own loader just loaded is never a violation', () => {
      const sql = op({ kind: 'sql', instance: -1, key: 0, version: 2, invoke: 0, complete: 5 });
      const owner = op({ kind: 'getOrSet', key: 0, invoke: 1, complete: 5_000 });
      const run = loaded(owner, 1, 2);
      owner.result = value(run);
      expect(judge(history([sql, owner], [run]))).toHaveLength(0);
    });

    it('the loader race: a version older than a committed update, once the update reached the reader', () => {
      const owner = op({ kind: 'getOrSet', key: 0, invoke: 0, complete: 100 });
      const run = loaded(owner, 1, 1);
      owner.result = value(run);
      // Committed while the loader ran: not "after" it, but newer by version.
      const sql = op({ kind: 'sql', instance: -1, key: 0, version: 2, invoke: 20, complete: 30 });
      expect(judge(history([owner, sql, read(1, 0, 30 + W_DB_MS - 1, value(run))], [run]))).toHaveLength(0);
      const late = judge(history([owner, sql, read(1, 0, 30 + W_DB_MS + 1, value(run))], [run]));
      expect(late).toHaveLength(1);
      expect(late[0]!.cls).toContain('[by version]');
    });

    it('an update of an untagged row cannot invalidate anything, so it hides nothing', () => {
      const owner = op({ kind: 'getOrSet', key: 3, invoke: 0, complete: 10 });
      const run = loaded(owner, 1, 1);
      owner.result = value(run);
      const sql = op({ kind: 'sql', instance: -1, key: 3, version: 2, invoke: 20, complete: 30 });
      expect(judge(history([owner, sql, read(0, 3, 5_000, value(run))], [run]))).toHaveLength(0);
    });

    it('a loader run hides nothing: a load is a fill, not an acknowledged write', () => {
      const set = setOp(0, 0, 0, 10);
      const owner = op({ kind: 'getOrSet', instance: 1, key: 0, invoke: 20, complete: 40 });
      const run = loaded(owner, 1, 21);
      owner.result = value(run);
      expect(judge(history([set, owner, read(0, 0, 5_000, set.value!)], [run]))).toHaveLength(0);
    });
  });

  describe('app writes: an UPDATE the trigger skips, then invalidateTags() on one instance', () => {
    /** A getOrSet on i0 whose loader read v1 at 1 and returned at 100; app write to v2 on i0, acknowledged at 25. */
    const race = () => {
      const owner = op({ kind: 'getOrSet', key: 0, invoke: 0, complete: 100 });
      const run = loaded(owner, 1, 1);
      owner.result = value(run);
      const write = op({ kind: 'appWrite', key: 0, tags: ['t0'], version: 2, invoke: 20, complete: 25 });
      return { owner, run, write };
    };

    it('same instance: a call begun after the invalidation resolved may not get the old version (e.g. by joining its load)', () => {
      const { owner, run, write } = race();
      const joined = read(0, 0, 26, value(run), 'getOrSet');
      const violations = judge(history([owner, write, joined], [run]));
      expect(violations.map((v) => v.cls)).toEqual(['a read served a loaded value after appWrite (same instance) [by version] [coalesced onto a running load]']);
      expect(violations[0]!.hiddenBy).toBe(write);
    });

    it('same instance: a call begun before it resolved may (it is concurrent), and so may the loader\'s own caller', () => {
      const { owner, run, write } = race();
      expect(judge(history([owner, write, read(0, 0, 24, value(run), 'getOrSet')], [run]))).toHaveLength(0);
    });

    it('other instances: the bus window, not the database window', () => {
      const { owner, run, write } = race();
      expect(judge(history([owner, write, read(1, 0, 25 + W_BUS_MS - 1, value(run))], [run]))).toHaveLength(0);
      expect(W_BUS_MS + 1).toBeLessThan(W_DB_MS);
      expect(judge(history([owner, write, read(1, 0, 25 + W_BUS_MS + 1, value(run))], [run]))).toHaveLength(1);
    });

    it('a load that read the written version is not hidden by it', () => {
      const { write } = race();
      const after = op({ kind: 'getOrSet', key: 0, invoke: 22, complete: 40 });
      const run = loaded(after, 2, 23);
      after.result = value(run);
      expect(judge(history([write, after, read(0, 0, 5_000, value(run))], [run]))).toHaveLength(0);
    });

    it('its invalidation reaches every key carrying those tags, and no other', () => {
      const { write } = race();
      const both = setOp(0, 2, 0, 10);
      const other = setOp(0, 1, 0, 10);
      expect(judge(history([both, write, read(0, 2, 26, both.value!)])).map((v) => v.cls)).toEqual(['a read served a set value after appWrite (same instance)']);
      expect(judge(history([other, write, read(0, 1, 26, other.value!)]))).toHaveLength(0);
    });
  });

  describe('fail-safe on the short-ttl key 7 (ttl 200 ms, grace 1 min)', () => {
    /**
     * k7 loaded at 0–10 (v1). At 500 it is stale; a getOrSet on i0 finds it, its loader (501–506)
     * fails, and fail-safe returns the stale value at 651; L1 keeps it for the throttle.
     */
    const failSafe = () => {
      const first = op({ kind: 'getOrSet', key: 7, invoke: 0, complete: 10 });
      const run = loaded(first, 1, 1);
      first.result = value(run);
      const stale = op({ kind: 'getOrSet', key: 7, invoke: 500, complete: 651, result: value(run) });
      const failed = loaded(stale, 1, 501, true);
      return { ops: [first, stale], loads: [run, failed], old: value(run) };
    };

    it('serving the stale value while the loader fails is allowed when nothing erased it, then from L1 too', () => {
      const { ops, loads, old } = failSafe();
      expect(judge(history([...ops, read(0, 7, 700, old)], loads))).toHaveLength(0);
    });

    it('a delete on that instance while the loader ran: its caller may get the value, a read begun after the delete may not', () => {
      const { ops, loads, old } = failSafe();
      const del = op({ kind: 'delete', key: 7, invoke: 550, complete: 560 });
      expect(judge(history([...ops, del], loads))).toHaveLength(0);
      const back = judge(history([...ops, del, read(0, 7, 700, old)], loads));
      expect(back.map((v) => v.cls)).toEqual(['a read served a loaded value after delete (same instance)']);
    });

    it('invalidated is not stale: an invalidation of its tag or a clear hides it as a delete does', () => {
      const { ops, loads, old } = failSafe();
      const invalidate = op({ kind: 'invalidateTags', tags: ['t4'], invoke: 550, complete: 560 });
      const clear = op({ kind: 'clear', invoke: 550, complete: 560 });
      expect(judge(history([...ops, invalidate, read(0, 7, 700, old)], loads))).toHaveLength(1);
      expect(judge(history([...ops, clear, read(0, 7, 700, old)], loads))).toHaveLength(1);
    });

    it('a delete on another instance: the bus window', () => {
      const { ops, loads, old } = failSafe();
      const del = op({ kind: 'delete', instance: 1, key: 7, invoke: 550, complete: 560 });
      expect(judge(history([...ops, del, read(0, 7, 560 + W_BUS_MS - 1, old)], loads))).toHaveLength(0);
      expect(judge(history([...ops, del, read(0, 7, 560 + W_BUS_MS + 1, old)], loads))).toHaveLength(1);
    });
  });

  describe('faults', () => {
    const cut = (start: number, end: number): FaultEvent => ({ kind: 'cut', target: 'redis', start, end, allowanceMs: W_AFTER_OUTAGE_MS });

    it('an outage overlapping the bus window extends it for other instances', () => {
      const set = setOp(0, 0, 0, 10);
      const del = op({ kind: 'delete', key: 0, invoke: 20, complete: 30 });
      const fault = cut(25, 2_000);
      expect(judge(history([set, del, read(1, 0, 2_000 + W_AFTER_OUTAGE_MS - 1, set.value!)], [], [fault]))).toHaveLength(0);
      expect(judge(history([set, del, read(1, 0, 2_000 + W_AFTER_OUTAGE_MS + 1, set.value!)], [], [fault]))).toHaveLength(1);
    });

    it('an event made while a tier recovers from an outage gets the same allowance', () => {
      const set = setOp(0, 0, 0, 10);
      const del = op({ kind: 'delete', key: 0, invoke: 2_100, complete: 2_110 });
      const fault = cut(25, 2_000);
      expect(judge(history([set, del, read(1, 0, 2_000 + W_AFTER_OUTAGE_MS - 1, set.value!)], [], [fault]))).toHaveLength(0);
      expect(judge(history([set, del, read(1, 0, 2_000 + W_AFTER_OUTAGE_MS + 1, set.value!)], [], [fault]))).toHaveLength(1);
    });

    it('but never for the instance that made the call', () => {
      const set = setOp(0, 0, 0, 10);
      const del = op({ kind: 'delete', key: 0, invoke: 20, complete: 30 });
      expect(judge(history([set, del, read(0, 0, 31, set.value!)], [], [cut(25, 2_000)]))).toHaveLength(1);
    });

    it('faults without allowance (duplicated messages, lost tag clock) extend nothing', () => {
      const set = setOp(0, 0, 0, 10);
      const del = op({ kind: 'delete', key: 0, invoke: 20, complete: 30 });
      const lost: FaultEvent = { kind: 'tag-hash-lost', target: 'redis', start: 25, end: 25, allowanceMs: 0 };
      expect(judge(history([set, del, read(1, 0, 30 + W_BUS_MS + 1, set.value!)], [], [lost]))).toHaveLength(1);
    });
  });

  describe('other findings', () => {
    it('errors of unexpected types are findings; loader and tier errors are not', () => {
      const bad = op({ kind: 'get', key: 0, invoke: 0, complete: 1, outcome: 'error', error: { name: 'TypeError', message: 'x is undefined' } });
      const fine = op({ kind: 'getOrSet', key: 0, invoke: 0, complete: 1, outcome: 'error', error: { name: 'LoaderError', message: 'boom' } });
      const violations = judge(history([bad, fine]));
      expect(violations.map((v) => v.kind)).toEqual(['unexpected-error']);
    });

    it('a value nobody wrote, or another key\'s value, is a phantom', () => {
      const set = setOp(0, 1, 0, 10);
      expect(judge(history([read(0, 0, 20, { key: 0, writer: 'set', id: 's999' })]))[0]!.kind).toBe('phantom');
      expect(judge(history([set, read(0, 0, 20, set.value!)]))[0]!.kind).toBe('phantom');
    });

    it('a long run (more operations than a call takes arguments) is judged and summarized', () => {
      const set = setOp(0, 0, 0, 1);
      const del = op({ kind: 'delete', key: 0, invoke: 2, complete: 3 });
      const reads = Array.from({ length: 200_000 }, (_, i) => read(0, 0, 10 + i, null));
      const ops = [set, del, ...reads, read(0, 0, 300_000, set.value!)];
      expect(summarize(judge(history(ops)), history(ops)).map((r) => r.count)).toEqual([1]);
    });

    it('an operation that never settled is stuck', () => {
      expect(judge(history([op({ kind: 'delete', key: 0, invoke: 0, complete: undefined, outcome: 'pending' })]))[0]!.kind).toBe('stuck');
    });
  });
});
