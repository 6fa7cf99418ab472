import type { RemoteSlot } from '../core/remote-slot.js';
import type { BusMessage, CacheBus } from '../sync/bus-message.js';
import type { MemoryTier } from '../tiers/memory/memory.tier.js';
import type { RecoveryQueue } from './recovery-queue.js';

const RECOVERY_INTERVAL_MS = 1_000;

/** A durable record of deletes and clears another tier missed; best effort (its tier may be down too). */
export interface DurableBacklog {
  /** The tier that keeps the record (it needs none for itself). */
  readonly slot: RemoteSlot;
  keys(keys: readonly string[]): void;
  clear(): void;
}

/**
 * Auto-recovery: what a remote tier or the bus missed while unreachable is queued and replayed when
 * it answers again, on a timer that runs only while something is pending.
 */
export class AutoRecovery {
  private readonly outbox: BusMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly remotes: readonly RemoteSlot[],
    private readonly clockSlot: RemoteSlot | undefined,
    private readonly bus: CacheBus | undefined,
    private readonly l1: MemoryTier | undefined,
    /**
     * Where deletes and clears that another tier missed are also recorded, to outlive this process
     * (L3's pending deletes, swept into Redis by every instance). Tags need no such record: L3
     * marks what it stamped without Redis itself.
     */
    private readonly durable?: DurableBacklog,
  ) {}

  get pending(): number {
    return this.remotes.reduce((sum, slot) => sum + slot.recovery.size, 0) + this.outbox.length;
  }

  /** Counts a failed call on `slot` and queues `keys` for deletion there once it is back. */
  deferKeys(slot: RemoteSlot, keys: readonly string[]): void {
    this.defer(slot, (queue) => queue.addKeys(keys));
    if (slot !== this.durable?.slot) this.durable?.keys(keys);
  }

  /** Counts a failed call on `slot` and queues a clear of the namespace there. */
  deferClear(slot: RemoteSlot): void {
    this.defer(slot, (queue) => queue.addClear());
    if (slot !== this.durable?.slot) this.durable?.clear();
  }

  /** Counts a failed call on `slot` and queues a stamp of `tags` there. */
  deferTags(slot: RemoteSlot, tags: readonly string[]): void {
    this.defer(slot, (queue) => queue.addTags(tags));
  }

  private defer(slot: RemoteSlot, add: (queue: RecoveryQueue) => void): void {
    slot.counters.errors++;
    add(slot.recovery);
    this.schedule();
  }

  /** Publishes, or keeps the message for later when the bus cannot take it. */
  async publish(message: BusMessage): Promise<void> {
    if (this.bus === undefined) return;
    try {
      await this.bus.publish(message);
    } catch {
      this.outbox.push(message);
      this.schedule();
    }
  }

  /** Replays what each tier and the bus missed. */
  async recover(): Promise<void> {
    for (const slot of this.remotes) {
      if (slot.recovery.size === 0 || slot.breaker.state === 'open') continue;
      try {
        await slot.breaker.run(() => this.replay(slot));
      } catch {
        slot.counters.errors++;
      }
    }
    await this.flushOutbox();
    if (this.pending === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * Replays one tier's queue, straight to the tier. The breaker calls it before it closes, so no
   * caller reads the tier again before what it missed is applied.
   */
  async replay(slot: RemoteSlot): Promise<void> {
    const replayed = await slot.recovery.replay();
    if (replayed && slot === this.clockSlot) {
      // The placeholder stamps in the memo give way to the real, later stamp.
      this.l1?.overrideStamps(new Map(replayed.tags.map((tag) => [tag, replayed.stamp])));
      this.outbox.push({ kind: 'tags', tags: replayed.tags, stamp: replayed.stamp });
      this.schedule();
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => void this.recover(), RECOVERY_INTERVAL_MS);
    this.timer.unref();
  }

  private async flushOutbox(): Promise<void> {
    while (this.bus !== undefined && this.outbox.length > 0) {
      try {
        await this.bus.publish(this.outbox[0]!);
        this.outbox.shift();
      } catch {
        return;
      }
    }
  }
}
