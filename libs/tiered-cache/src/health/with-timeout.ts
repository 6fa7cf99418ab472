/** A check that took longer than its timeout. */
export class CheckTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what} timed out after ${timeoutMs} ms`);
    this.name = 'CheckTimeoutError';
  }
}

/**
 * Settles with `work`, or rejects with {@link CheckTimeoutError} after `timeoutMs`, aborting the
 * signal handed to `work`. The work itself may keep running (a pg connect cannot be cancelled),
 * but the caller no longer waits for it.
 */
export async function withTimeout<T>(what: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CheckTimeoutError(what, timeoutMs));
    }, timeoutMs);
  });
  const running = work(controller.signal);
  running.catch(() => undefined); // a late failure after the timeout is not unhandled
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}
