import type { CoalescedRow, MergeWrites, QueuedWrite } from './write-behind.types.js';

/** Folds the writes of one batch into one row per key, in entry order. */
export function coalesce<T>(writes: readonly QueuedWrite<T>[], merge: MergeWrites<T>): CoalescedRow<T>[] {
  const rows = new Map<string, CoalescedRow<T>>();
  const ordered = [...writes].sort((a, b) => compareIds(a.id, b.id));
  for (const write of ordered) {
    const row = rows.get(write.rowKey);
    rows.set(
      write.rowKey,
      row === undefined
        ? { rowKey: write.rowKey, value: write.value, lastAcceptedAt: write.acceptedAt, writes: 1 }
        : { rowKey: write.rowKey, value: merge(row.value, write.value), lastAcceptedAt: write.acceptedAt, writes: row.writes + 1 },
    );
  }
  return [...rows.values()];
}

/** Orders stream ids (`<ms>-<seq>`) numerically: string order is wrong once the lengths differ. */
export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number) as [number, number];
  const [bMs, bSeq] = b.split('-').map(Number) as [number, number];
  return aMs - bMs || aSeq - bSeq;
}
