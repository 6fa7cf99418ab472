import { HttpException, HttpStatus, type ExecutionContext, type HttpServer } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';

/**
 * The response {@link tooManyRequests} sets `Retry-After` on, with the platform's Nest adapter to
 * set it through: Express's response has `setHeader()`, Fastify's reply only `header()`.
 */
export interface RetryAfterTarget {
  readonly adapter: Pick<HttpServer, 'setHeader'>;
  readonly response: unknown;
}

/** The HTTP response of `context`, for {@link tooManyRequests}. */
export function retryAfterTarget(adapterHost: HttpAdapterHost, context: ExecutionContext): RetryAfterTarget {
  return { adapter: adapterHost.httpAdapter, response: context.switchToHttp().getResponse() };
}

/**
 * A 429 to throw, with `Retry-After` (whole seconds, rounded up) set on the response when the wait
 * is known: the exception filter keeps headers already set, on either platform.
 */
export function tooManyRequests(target: RetryAfterTarget, message: string, retryAfterMs?: number): HttpException {
  if (retryAfterMs !== undefined) target.adapter.setHeader(target.response, 'Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return new HttpException({ statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message }, HttpStatus.TOO_MANY_REQUESTS);
}
