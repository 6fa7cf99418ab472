import { Injectable, Logger } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';

/**
 * A warm-up function. Its result says what it loaded: a number (entries), an array (its length), or
 * `{ loaded: number }`. Anything else counts as "loaded, count unknown".
 */
export type WarmerFunction = (cache: TieredCache) => unknown;

export interface WarmerOutcome {
  name: string;
  ok: boolean;
  durationMs: number;
  /** Entries the warmer reported, when it said. */
  loaded?: number;
  error?: string;
}

export interface WarmRun {
  trigger: 'startup' | 'manual';
  startedAt: string;
  durationMs: number;
  /** Sum of `loaded` over the warmers that reported one. */
  loaded: number;
  warmers: WarmerOutcome[];
}

const WARMER_METADATA = Symbol('tiered-cache:warmer');

/**
 * Marks a provider method as a cache warmer. It is called with no arguments (as `this.method()`),
 * after start-up and from `POST /admin/cache/warm`. The name defaults to `Class.method`.
 */
export function CacheWarmer(name?: string): MethodDecorator {
  return (target, propertyKey) => {
    const fallback = `${(target as { constructor: { name: string } }).constructor.name}.${String(propertyKey)}`;
    Reflect.defineMetadata(WARMER_METADATA, name ?? fallback, target, propertyKey);
  };
}

/** Reads the warmer name set by {@link CacheWarmer}, if any. */
export function warmerName(prototype: object, method: string): string | undefined {
  return Reflect.getMetadata(WARMER_METADATA, prototype, method) as string | undefined;
}

/**
 * Registry of warm-up functions. Providers add theirs with `register()` or `@CacheWarmer()`.
 * Warmers run one after the other; a failing warmer is reported and does not stop the others.
 */
@Injectable()
export class CacheWarmerRegistry {
  private readonly logger = new Logger('TieredCacheWarmers');
  private readonly warmers = new Map<string, WarmerFunction>();
  private current: Promise<WarmRun> | undefined;

  constructor(private readonly cache: TieredCache) {}

  /**
   * Adds a warmer.
   * @throws Error when the name is taken: two warmers under one name would be ambiguous in reports.
   * @returns a function that removes it.
   */
  register(name: string, warmer: WarmerFunction): () => void {
    if (this.warmers.has(name)) throw new Error(`A cache warmer named ${JSON.stringify(name)} is already registered`);
    this.warmers.set(name, warmer);
    return () => {
      if (this.warmers.get(name) === warmer) this.warmers.delete(name);
    };
  }

  names(): string[] {
    return [...this.warmers.keys()];
  }

  /** A run in progress, if any. */
  get running(): Promise<WarmRun> | undefined {
    return this.current;
  }

  /**
   * Runs the named warmers (default: all).
   * @throws Error naming the warmers that are not registered; nothing runs then.
   */
  async run(names?: readonly string[], trigger: WarmRun['trigger'] = 'manual'): Promise<WarmRun> {
    const selected = names && names.length > 0 ? [...new Set(names)] : this.names();
    const unknown = selected.filter((name) => !this.warmers.has(name));
    if (unknown.length > 0) throw new UnknownWarmerError(unknown);
    const run = this.execute(selected, trigger);
    this.current = run;
    try {
      return await run;
    } finally {
      if (this.current === run) this.current = undefined;
    }
  }

  private async execute(names: readonly string[], trigger: WarmRun['trigger']): Promise<WarmRun> {
    const started = Date.now();
    const outcomes: WarmerOutcome[] = [];
    for (const name of names) {
      const warmer = this.warmers.get(name)!;
      const begin = Date.now();
      try {
        const loaded = countLoaded(await warmer(this.cache));
        outcomes.push({ name, ok: true, durationMs: Date.now() - begin, ...(loaded === undefined ? {} : { loaded }) });
      } catch (error) {
        const message = (error as Error)?.message ?? String(error);
        this.logger.warn(`Warmer ${name} failed: ${message}`);
        outcomes.push({ name, ok: false, durationMs: Date.now() - begin, error: message });
      }
    }
    return {
      trigger,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      loaded: outcomes.reduce((sum, outcome) => sum + (outcome.loaded ?? 0), 0),
      warmers: outcomes,
    };
  }
}

export class UnknownWarmerError extends Error {
  constructor(readonly names: readonly string[]) {
    super(`No cache warmer named ${names.map((name) => JSON.stringify(name)).join(', ')}`);
    this.name = 'UnknownWarmerError';
  }
}

function countLoaded(result: unknown): number | undefined {
  if (typeof result === 'number' && Number.isFinite(result)) return result;
  if (Array.isArray(result)) return result.length;
  if (typeof result === 'object' && result !== null && typeof (result as { loaded?: unknown }).loaded === 'number') {
    return (result as { loaded: number }).loaded;
  }
  return undefined;
}
