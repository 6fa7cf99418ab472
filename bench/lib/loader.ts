import { sleep } from './subjects.js';

/** A loader that counts its calls: hit cases check that it never ran while measured. */
export interface CountingLoader<T> {
  (): Promise<T>;
  calls: number;
}

export function countingLoader<T>(produce: () => T, delayMs = 0): CountingLoader<T> {
  const loader = (async () => {
    loader.calls++;
    if (delayMs > 0) await sleep(delayMs);
    return produce();
  }) as CountingLoader<T>;
  loader.calls = 0;
  return loader;
}

/** `check` of a hit case: the loader must not have run since `reset`. */
export function noLoaderCalls(loader: CountingLoader<unknown>): () => string | undefined {
  return () => (loader.calls === 0 ? undefined : `the loader ran ${loader.calls} times while hits were measured`);
}

/** Keys `prefix0` .. `prefix{count-1}`. */
export function keyRange(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`);
}
