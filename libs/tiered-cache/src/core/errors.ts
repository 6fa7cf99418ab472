/** Base class of every error the cache throws on purpose. */
export class TieredCacheError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A value could not be serialized; nothing was written to any tier. */
export class SerializationError extends TieredCacheError {
  constructor(
    readonly key: string,
    cause: unknown,
  ) {
    super(`Value for key ${JSON.stringify(key)} cannot be serialized: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** A value serializes to more than `maxPayloadBytes`; nothing was written to any tier. */
export class PayloadTooLargeError extends SerializationError {
  constructor(
    key: string,
    readonly bytes: number,
    readonly maxPayloadBytes: number,
  ) {
    super(key, new Error(`it takes ${bytes} bytes, over maxPayloadBytes (${maxPayloadBytes})`));
  }
}

/** A configured tier needs a client package that is not installed. */
export class MissingPeerError extends TieredCacheError {
  constructor(
    readonly packageName: string,
    readonly neededFor: string,
  ) {
    super(`${neededFor} needs the '${packageName}' package, which is not installed: npm install ${packageName}`);
  }
}

/** A key is not a usable cache key (empty, not a string). */
export class InvalidKeyError extends TieredCacheError {
  constructor(
    readonly key: unknown,
    /** What is wrong with it, without the key: fit to show a client. */
    readonly reason: string,
  ) {
    super(`Invalid cache key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** A tag is not usable (empty, too long, contains control characters). */
export class InvalidTagError extends TieredCacheError {
  constructor(
    readonly tag: unknown,
    /** What is wrong with it, without the tag: fit to show a client. */
    readonly reason: string,
  ) {
    super(`Invalid cache tag ${JSON.stringify(tag)}: ${reason}`);
  }
}

/** An option has a value the cache cannot work with. */
export class InvalidOptionError extends TieredCacheError {
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`Invalid option '${option}': ${reason}`);
  }
}

/** The loader ran past its hard timeout. */
export class LoaderTimeoutError extends TieredCacheError {
  constructor(
    readonly key: string,
    readonly timeoutMs: number,
  ) {
    super(`Loader for key ${JSON.stringify(key)} did not finish within its hard timeout of ${timeoutMs} ms`);
  }
}

/** A remote tier call failed or timed out. Never escapes the engine: it is counted and skipped. */
export class TierUnavailableError extends TieredCacheError {
  constructor(
    readonly tier: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Tier ${tier} unavailable: ${reason}`, options);
  }
}

/** A call with `scope: 'user'` or `'tenant'` ran without that principal in the request context. */
export class MissingScopeError extends TieredCacheError {
  constructor(
    readonly scope: string,
    readonly target: string,
  ) {
    super(`${target} is cached with scope '${scope}' but no ${scope} is set in the request context; refusing to share an entry`);
  }
}

/**
 * A batch loader (`getOrSetMany`, `@CachedMany`) did not return one value per key it was given:
 * an array of another length, or a map without some of the keys. Nothing of that batch is cached.
 */
export class BatchLoaderError extends TieredCacheError {
  constructor(
    readonly expected: number,
    readonly received: number,
    /** The first key the loader gave no value for (for a map), when known. */
    readonly missingKey?: string,
  ) {
    super(
      missingKey === undefined
        ? `Batch loader returned ${received} values for ${expected} keys: it must return one value per key, in the order given`
        : `Batch loader returned no value for key ${JSON.stringify(missingKey)} (${received} of ${expected} keys answered)`,
    );
  }
}
