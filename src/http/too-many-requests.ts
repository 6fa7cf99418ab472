import { HttpException, HttpStatus } from '@nestjs/common';

/** The part of a response {@link tooManyRequests} writes to. */
export interface RetryAfterResponse {
  setHeader(name: string, value: string): unknown;
}

/**
 * A 429 to throw, with `Retry-After` (whole seconds, rounded up) set on `response` when the wait is
 * known: the exception filter keeps headers already set.
 */
export function tooManyRequests(response: RetryAfterResponse, message: string, retryAfterMs?: number): HttpException {
  if (retryAfterMs !== undefined) response.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return new HttpException({ statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message }, HttpStatus.TOO_MANY_REQUESTS);
}
