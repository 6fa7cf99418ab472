import type { TieredCache } from '../core/tiered-cache.js';

/** Finished loader runs (misses and refresh-ahead) of one cache, by outcome, since first asked for. */
export interface LoaderRunCounts {
  readonly ok: number;
  readonly error: number;
}

class LoaderRuns {
  ok = 0;
  error = 0;
  constructor(cache: TieredCache) {
    // `cache.stats()` counts loader calls but not their failures; the engine reports each run's
    // outcome to observers only, so the count starts when metrics or alerts first ask.
    cache.observe({
      loader: (event) => {
        if (event.ok) this.ok++;
        else this.error++;
      },
    });
  }
}

const instances = new WeakMap<TieredCache, LoaderRuns>();

/**
 * The loader-run counters of a cache, shared by the metrics (`tiered_cache_loader_runs_total`) and
 * the in-app alerts so both read the same numbers. Observes the cache from the first call on.
 */
export function loaderRuns(cache: TieredCache): LoaderRunCounts {
  let runs = instances.get(cache);
  if (!runs) {
    runs = new LoaderRuns(cache);
    instances.set(cache, runs);
  }
  return runs;
}
