/**
 * What this instance changed, per key, as a sequence. A read or a load notes the sequence when it
 * begins; whatever it would write afterwards (a copy-up, a loader's result, a fail-safe entry) is
 * written only if no `set`, `delete` or `clear` of that key happened since. The check runs
 * synchronously right before the write is issued, after the last await, so no change can slip in
 * between the check and the write.
 */
export class ChangeLog {
  private sequence = 0;
  /** Marks at or below it are void: a clear happened, or the log outgrew its bound. */
  private floor = 0;
  private readonly changed = new Map<string, number>();

  /** @param maxKeys most keys remembered; past it the log forgets them all and voids every mark (the safe side). */
  constructor(private readonly maxKeys = 100_000) {}

  /** The current sequence, to compare against later. */
  mark(): number {
    return this.sequence;
  }

  /** Records a change of `key`: marks taken before it no longer allow writes of it. */
  change(key: string): void {
    this.sequence++;
    if (this.changed.size >= this.maxKeys) return this.changeAll();
    this.changed.set(key, this.sequence);
  }

  /** Records a change of every key (a clear). */
  changeAll(): void {
    this.sequence++;
    this.changed.clear();
    this.floor = this.sequence;
  }

  /** True when neither `key` nor every key changed after `mark` was taken. */
  unchangedSince(key: string, mark: number): boolean {
    return this.floor <= mark && (this.changed.get(key) ?? 0) <= mark;
  }
}
