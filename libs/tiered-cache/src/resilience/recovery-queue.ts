import type { Tier } from '../tiers/tier.js';

/**
 * What a remote tier missed while it was unreachable: tags to stamp, keys to delete, a namespace
 * clear. Replayed when the tier answers again, so an entry written before the outage cannot come
 * back. Newest wins per key: a tag is stamped once, with a fresh stamp, however often it failed.
 */
export class RecoveryQueue {
  private tags = new Set<string>();
  private keys = new Set<string>();
  private clearPending = false;

  constructor(readonly tier: Tier) {}

  get size(): number {
    return this.tags.size + this.keys.size + (this.clearPending ? 1 : 0);
  }

  /**
   * What is pending now, kept even if a replay empties the queue meanwhile: a read that started
   * before the replay saw the tier as it was, so it is judged against this. `blocks` is true when the
   * tier may still hold what this instance already removed (the key queued for deletion, a clear, or
   * a tag awaiting its stamp); such a read is a miss.
   */
  snapshot(): { blocks(key: string, tags: readonly string[]): boolean } {
    const clear = this.clearPending;
    const keys = new Set(this.keys);
    const tags = new Set(this.tags);
    return {
      blocks: (key, entryTags) => clear || keys.has(key) || entryTags.some((tag) => tags.has(tag)),
    };
  }

  addTags(tags: readonly string[]): void {
    for (const tag of tags) this.tags.add(tag);
  }

  addKeys(keys: readonly string[]): void {
    if (!this.clearPending) for (const key of keys) this.keys.add(key);
  }

  addClear(): void {
    this.clearPending = true;
    this.keys.clear();
  }

  /**
   * Replays everything; on failure the unsent part stays queued. Returns the tags it stamped and
   * the stamp, so the caller can tell the other instances.
   */
  async replay(): Promise<{ tags: string[]; stamp: number } | undefined> {
    if (this.clearPending) {
      await this.tier.clear();
      this.clearPending = false;
    }
    if (this.keys.size > 0) {
      const keys = [...this.keys];
      await this.tier.delete(keys);
      for (const key of keys) this.keys.delete(key);
    }
    if (this.tags.size > 0) {
      const tags = [...this.tags];
      const stamp = await this.tier.invalidateTags(tags);
      for (const tag of tags) this.tags.delete(tag);
      return { tags, stamp };
    }
    return undefined;
  }
}
