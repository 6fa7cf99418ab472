import type { Redis } from 'ioredis';

/**
 * Keeps the Redis tier from trusting what Redis holds until that state has been checked: after
 * every (re)connect, the server may be another process (a restart from an older snapshot, a
 * failover to a lagging replica) that forgot stamps while it kept entries. The check itself is a
 * script (RESYNC) that sets a new floor when the server changed or the tag hash was lost.
 */
export class RedisStateGuard {
  private verified = false;
  private checking: Promise<void> | undefined;
  /** Bumped whenever trust is withdrawn: a reply read across a bump is not trusted either. */
  private generation = 0;
  private highest = 0;
  private readonly onClose = () => this.distrust();
  private readonly onReady = () => void this.verify().catch(() => undefined);

  constructor(
    private readonly client: Redis,
    /** Runs the check, given the highest stamp this process saw from the server. */
    private readonly check: (highestSeen: number) => Promise<unknown>,
    private readonly timeoutMs: number,
  ) {
    client.on('close', this.onClose);
    client.on('ready', this.onReady);
    if (client.status === 'ready') this.onReady();
  }

  /** Changes whenever trust is withdrawn (a lost connection, a lost tag hash). */
  get epoch(): number {
    return this.generation;
  }

  /** Records a stamp the server issued, so that a new floor is set above it even if Redis forgot it. */
  saw(stamp: number): void {
    if (stamp > this.highest) this.highest = stamp;
  }

  /**
   * Resolves once the server's state was checked since the last (re)connect.
   * @throws when the check fails or times out, so that the caller's breaker sees it.
   */
  async pass(): Promise<void> {
    if (!this.verified) await this.verify();
  }

  /** A script found the tag hash without its floor: check (and resync) again, once for all callers. */
  lost(): void {
    this.distrust();
    void this.verify().catch(() => undefined);
  }

  dispose(): void {
    this.client.off('close', this.onClose);
    this.client.off('ready', this.onReady);
  }

  private distrust(): void {
    this.generation++;
    this.verified = false;
  }

  private verify(): Promise<void> {
    this.checking ??= this.run().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async run(): Promise<void> {
    // A check that overlapped a reconnect or a loss proves nothing about the state after it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const generation = this.generation;
      await withTimeout(this.check(this.highest), this.timeoutMs);
      if (generation === this.generation) {
        this.verified = true;
        return;
      }
    }
    throw new Error('Redis state kept changing during its check');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis state check timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
