import { LoaderTimeoutError } from '../core/errors.js';

/** How a timed load ended. */
export type TimedLoad<T> =
  | { readonly kind: 'value'; readonly value: T }
  /** The soft timeout passed with a stale value at hand; the load goes on in the background. */
  | { readonly kind: 'soft-timeout' };

export interface LoaderTimeouts {
  /** Past this, a stale value (if any) is returned and the load finishes in the background. */
  readonly softMs?: number;
  /** Past this, the call fails with LoaderTimeoutError; the load still finishes in the background. */
  readonly hardMs?: number;
}

/**
 * Waits for `loading` under soft and hard timeouts. `loading` is never cancelled (a promise cannot
 * be), so a slow source still refreshes the entry when it answers.
 */
export async function awaitWithTimeouts<T>(
  key: string,
  loading: Promise<T>,
  timeouts: LoaderTimeouts,
  hasStale: boolean,
): Promise<TimedLoad<T>> {
  const soft = hasStale ? timeouts.softMs : undefined;
  const hard = timeouts.hardMs;
  if (soft === undefined && hard === undefined) return { kind: 'value', value: await loading };
  // The background load's failure is reported through metrics by the caller, not as unhandled.
  loading.catch(() => undefined);
  const timers: NodeJS.Timeout[] = [];
  const deadline = (ms: number, outcome: () => TimedLoad<T> | never) =>
    new Promise<TimedLoad<T>>((resolve, reject) => {
      timers.push(
        setTimeout(() => {
          try {
            resolve(outcome());
          } catch (error) {
            reject(error);
          }
        }, ms),
      );
    });
  const racers: Array<Promise<TimedLoad<T>>> = [loading.then((value) => ({ kind: 'value' as const, value }))];
  if (soft !== undefined) racers.push(deadline(soft, () => ({ kind: 'soft-timeout' })));
  if (hard !== undefined) {
    racers.push(
      deadline(hard, () => {
        throw new LoaderTimeoutError(key, hard);
      }),
    );
  }
  try {
    return await Promise.race(racers);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
