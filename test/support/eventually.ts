/** Polling helpers for conditions that become true asynchronously (bus messages, triggers, recovery). */
import { sleep } from './cache-fixture.js';

/**
 * Polls `read` until `check` holds; resolves to the value and how long it took. Fails after
 * `timeoutMs` with the last value read, so a failure says what was seen instead.
 */
export async function waitFor<T>(
  read: () => Promise<T> | T,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
  pauseMs = 25,
): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let value = await read();
  while (!check(value)) {
    if (performance.now() - started > timeoutMs) throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await sleep(pauseMs);
    value = await read();
  }
  return { value, ms: Math.round(performance.now() - started) };
}

/** {@link waitFor}, resolving to the value. */
export async function eventually<T>(read: () => Promise<T> | T, check: (value: T) => boolean, timeoutMs = 10_000, pauseMs = 25): Promise<T> {
  return (await waitFor(read, check, timeoutMs, pauseMs)).value;
}

/** Polls `condition` until it holds; resolves to how long it took in ms. */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 3_000): Promise<number> {
  return (await waitFor(condition, (holds) => holds, timeoutMs, 10)).ms;
}
