import type { TrendCounterColumn } from './trends.schema.js';

/** What one instance did during one minute. Every field sums across instances, but `loadMsMax`. */
export interface TrendCounters {
  /** `get`/`getOrSet` calls that got an answer. */
  reads: number;
  /** Reads answered by a tier; `l1Hits + l2Hits + l3Hits`. */
  hits: number;
  l1Hits: number;
  l2Hits: number;
  l3Hits: number;
  /** Failed or breaker-refused calls to a remote tier. */
  errors: number;
  /** Loader runs that finished, failed ones included. */
  loads: number;
  loadErrors: number;
  loadMsTotal: number;
  loadMsMax: number;
  /** Entries written (`set` and loader results), and their serialized bytes. */
  writes: number;
  bytesWritten: number;
}

export function emptyTrendCounters(): TrendCounters {
  return { reads: 0, hits: 0, l1Hits: 0, l2Hits: 0, l3Hits: 0, errors: 0, loads: 0, loadErrors: 0, loadMsTotal: 0, loadMsMax: 0, writes: 0, bytesWritten: 0 };
}

/** The field of {@link TrendCounters} each column holds. */
export const COLUMN_FIELDS: Record<TrendCounterColumn, keyof TrendCounters> = {
  reads: 'reads',
  hits: 'hits',
  l1_hits: 'l1Hits',
  l2_hits: 'l2Hits',
  l3_hits: 'l3Hits',
  errors: 'errors',
  loads: 'loads',
  load_errors: 'loadErrors',
  load_ms_total: 'loadMsTotal',
  load_ms_max: 'loadMsMax',
  writes: 'writes',
  bytes_written: 'bytesWritten',
};
