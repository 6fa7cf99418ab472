import { describe, expect, it } from '@jest/globals';
import { CheckTimeoutError, withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it('returns the result of work that settles in time', async () => {
    await expect(withTimeout('x', 1_000, async () => 42)).resolves.toBe(42);
    await expect(withTimeout('x', 1_000, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('rejects with a named timeout, and aborts the signal, when work never settles', async () => {
    let signal: AbortSignal | undefined;
    const error = await withTimeout('l2 PING', 20, (s) => {
      signal = s;
      return new Promise(() => undefined);
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckTimeoutError);
    expect((error as Error).message).toBe('l2 PING timed out after 20 ms');
    expect(signal?.aborted).toBe(true);
  });
});
