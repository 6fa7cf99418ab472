import type { CoalescedRow } from '@tiered-cache/nestjs/write-behind';

/**
 * One queued progress report, and also the merged row the write-behind serves: times are ISO
 * strings so that the value round-trips through the queue and the cache unchanged.
 */
export interface WatchProgressWrite {
  readonly watchTimeSeconds: number;
  readonly progressPercentage: number;
  /** When progress first reached 90%; `null` until then. */
  readonly completedAt: string | null;
  readonly lastWatchedAt: string;
}

/** Completion at 90% or more, as in the synchronous upsert. */
export const COMPLETION_PERCENT = 90;

/** A report made at `at`. */
export function progressReport(watchTimeSeconds: number, progressPercentage: number, at: Date): WatchProgressWrite {
  const iso = at.toISOString();
  return { watchTimeSeconds, progressPercentage, completedAt: progressPercentage >= COMPLETION_PERCENT ? iso : null, lastWatchedAt: iso };
}

/** Keeps the maxima and the earliest completion: order-insensitive, so replays and late claims are harmless. */
export function mergeProgress(a: WatchProgressWrite, b: WatchProgressWrite): WatchProgressWrite {
  return {
    watchTimeSeconds: Math.max(a.watchTimeSeconds, b.watchTimeSeconds),
    progressPercentage: Math.max(a.progressPercentage, b.progressPercentage),
    completedAt: earliest(a.completedAt, b.completedAt),
    lastWatchedAt: a.lastWatchedAt > b.lastWatchedAt ? a.lastWatchedAt : b.lastWatchedAt,
  };
}

/** The row key of a (student, session) pair in the queue. */
export function progressRowKey(studentId: number, sessionId: number): string {
  return `${studentId}:${sessionId}`;
}

/** The (student, session) pair of a row key. */
export function parseProgressRowKey(rowKey: string): { studentId: number; sessionId: number } {
  const [studentId, sessionId] = rowKey.split(':').map(Number) as [number, number];
  return { studentId, sessionId };
}

/** The parameters of `FLUSH_WATCH_PROGRESS_SQL` for a batch. */
export function flushParameters(rows: readonly CoalescedRow<WatchProgressWrite>[]): unknown[] {
  const keys = rows.map((row) => parseProgressRowKey(row.rowKey));
  return [
    keys.map((key) => key.studentId),
    keys.map((key) => key.sessionId),
    rows.map((row) => row.value.watchTimeSeconds),
    rows.map((row) => row.value.progressPercentage),
    rows.map((row) => row.value.completedAt),
    rows.map((row) => row.value.lastWatchedAt),
  ];
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
