import { TieredCacheError } from '../core/errors.js';

/**
 * The write could not be made durable (Redis refused, failed or did not answer in time). Nothing was
 * acknowledged and nothing was written to the cache: the caller must treat the write as not done
 * (the reference app answers 503).
 */
export class WriteBehindUnavailableError extends TieredCacheError {
  constructor(
    /** The queue (stream) name. */
    readonly queue: string,
    cause: unknown,
  ) {
    super(`Write-behind queue ${JSON.stringify(queue)} is unavailable, the write was not accepted: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}

/** A row key or value that the queue cannot carry (empty key, unserializable value). */
export class WriteBehindInputError extends TieredCacheError {
  constructor(
    readonly field: 'rowKey' | 'value',
    readonly reason: string,
  ) {
    super(`Invalid write-behind ${field}: ${reason}`);
  }
}
