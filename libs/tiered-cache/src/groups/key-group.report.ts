import { emptyGroupCounters, type KeyGroupCounters, type KeyGroupEntry, type KeyGroupKind, type KeyGroupSnapshot } from './key-group.stats.js';

/** What a group list can be sorted by. */
export const KEY_GROUP_SORTS = ['hitRatio', 'loadMs', 'bytes', 'reads'] as const;
export type KeyGroupSort = (typeof KEY_GROUP_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

/** One row of `GET /admin/cache/groups`: the summed counters and what follows from them. */
export interface KeyGroupRow extends KeyGroupEntry {
  /** `hits / reads`; `null` without reads. */
  hitRatio: number | null;
  /** Mean loader run time in ms; `null` without loads. */
  loadMsMean: number | null;
}

/** The body of `GET /admin/cache/groups`. */
export interface KeyGroupReport {
  by: KeyGroupKind;
  sort: KeyGroupSort;
  order: SortOrder;
  /** Instances whose counters are summed (the up ones of the fleet view, or this one alone). */
  instances: number;
  groups: KeyGroupRow[];
}

/** Sums the snapshots of several instances, group by group. */
export function mergeGroupSnapshots(snapshots: readonly KeyGroupSnapshot[], by: KeyGroupKind): KeyGroupEntry[] {
  const merged = new Map<string, KeyGroupCounters>();
  for (const snapshot of snapshots) {
    for (const entry of snapshot[by] ?? []) {
      let total = merged.get(entry.group);
      if (total === undefined) merged.set(entry.group, (total = emptyGroupCounters()));
      total.reads += entry.reads;
      total.hits += entry.hits;
      total.loads += entry.loads;
      total.loadErrors += entry.loadErrors;
      total.loadMsTotal += entry.loadMsTotal;
      total.loadMsMax = Math.max(total.loadMsMax, entry.loadMsMax);
      total.writes += entry.writes;
      total.bytesWritten += entry.bytesWritten;
    }
  }
  return [...merged].map(([group, counters]) => ({ group, ...counters }));
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function rowOf(entry: KeyGroupEntry): KeyGroupRow {
  return {
    ...entry,
    loadMsTotal: round(entry.loadMsTotal, 3),
    loadMsMax: round(entry.loadMsMax, 3),
    hitRatio: entry.reads > 0 ? round(entry.hits / entry.reads, 4) : null,
    loadMsMean: entry.loads > 0 ? round(entry.loadMsTotal / entry.loads, 3) : null,
  };
}

function sortValue(row: KeyGroupRow, sort: KeyGroupSort): number | null {
  if (sort === 'hitRatio') return row.hitRatio;
  if (sort === 'loadMs') return row.loadMsMean;
  if (sort === 'bytes') return row.bytesWritten;
  return row.reads;
}

/**
 * The rows sorted by `sort`; groups without a value for it (no reads, no loads) come last in both
 * orders, and ties go by name so the order is stable between refreshes.
 */
export function sortGroups(entries: readonly KeyGroupEntry[], sort: KeyGroupSort, order: SortOrder): KeyGroupRow[] {
  const sign = order === 'asc' ? 1 : -1;
  return entries.map(rowOf).sort((a, b) => {
    const x = sortValue(a, sort);
    const y = sortValue(b, sort);
    if (x === null || y === null) return x === y ? a.group.localeCompare(b.group) : x === null ? 1 : -1;
    return x === y ? a.group.localeCompare(b.group) : (x - y) * sign;
  });
}
