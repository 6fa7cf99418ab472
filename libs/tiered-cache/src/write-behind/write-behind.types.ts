/** One acknowledged write as read back from the queue. */
export interface QueuedWrite<T> {
  /** The stream entry id (`<ms>-<seq>`, Redis server clock): unique and ordered per queue. */
  readonly id: string;
  /** The row the write is for; writes with the same key are coalesced into one row update. */
  readonly rowKey: string;
  readonly value: T;
  /** When Redis accepted the write, in ms since the epoch (from the entry id). */
  readonly acceptedAt: number;
}

/** What the batch writer receives: one row per key, its writes merged oldest first. */
export interface CoalescedRow<T> {
  readonly rowKey: string;
  readonly value: T;
  /** Acceptance time of the newest write merged into `value`. */
  readonly lastAcceptedAt: number;
  /** How many queued writes were merged into this row. */
  readonly writes: number;
}

/**
 * Merges a newer write into an older one for the same row. It must be associative and must not
 * depend on the order of the two (a join, such as "keep the maxima"): entries of a dead flusher
 * are claimed later than newer ones may be flushed, and a batch may be applied twice.
 */
export type MergeWrites<T> = (older: T, newer: T) => T;

/**
 * Applies one batch to the database, all or nothing (one transaction), idempotently: applying the
 * same rows again must change nothing. It runs before the entries are acknowledged, so a crash
 * between the two replays the batch.
 */
export type BatchWriter<T> = (rows: readonly CoalescedRow<T>[]) => Promise<void>;

/** The state of one write-behind queue, as health, metrics and the dashboard report it. */
export interface WriteBehindStatus {
  /** The queue (stream) name. */
  readonly queue: string;
  /** Writes accepted and not yet flushed. */
  readonly backlog: number;
  /** Age of the oldest unflushed write in seconds; 0 when there is none. */
  readonly lagSeconds: number;
  /** The lag past which the queue counts as degraded. */
  readonly lagMaxSeconds: number;
  /** Totals of this process's flusher; absent when this process runs none. */
  readonly flusher?: {
    readonly flushedWrites: number;
    readonly batches: number;
    readonly errors: number;
  };
}

/** What reports on a write-behind queue. `status()` rejects when the queue's Redis cannot be read. */
export interface WriteBehindMonitor {
  status(): Promise<WriteBehindStatus>;
}
