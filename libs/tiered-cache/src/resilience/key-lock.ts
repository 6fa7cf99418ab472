/** A lock per cache key across instances, taken for a miss so that one instance loads it. */
export interface KeyLock {
  /** Resolves to a release function when taken, undefined when another instance holds it. */
  tryAcquire(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;
}
