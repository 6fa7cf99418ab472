import { Catch, HttpStatus, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { TieredCacheError } from '../core/errors.js';
import { toHttpException } from './tiered-cache-http.errors.js';

/**
 * Answers errors the cache throws during a request with the status that fits them
 * ({@link toHttpException}: 400 for a key or tag made of bad input, 401 for a scoped entry without
 * a principal, 504 for a loader timeout, 500 otherwise) instead of Nest's bare 500. Opt-in, on
 * Express and Fastify alike:
 *
 * ```ts
 * providers: [{ provide: APP_FILTER, useClass: TieredCacheExceptionFilter }]
 * ```
 *
 * Server faults (5xx) are logged with their message and stack, since the answer withholds them.
 * Other errors pass to Nest's default handling unchanged.
 */
@Catch(TieredCacheError)
export class TieredCacheExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('TieredCache');

  override catch(exception: TieredCacheError, host: ArgumentsHost): void {
    const http = toHttpException(exception);
    if (http.getStatus() >= HttpStatus.INTERNAL_SERVER_ERROR) this.logger.error(exception.message, exception.stack);
    super.catch(http, host);
  }
}
