import { HttpException, HttpStatus } from '@nestjs/common';
import {
  InvalidKeyError,
  InvalidTagError,
  LoaderTimeoutError,
  MissingScopeError,
  PayloadTooLargeError,
  TierUnavailableError,
  type TieredCacheError,
} from '../core/errors.js';

/**
 * The HTTP answer for an error the cache threw while serving a request. Client faults (a key or
 * tag built from bad input, a scoped entry asked for without a principal) are 4xx and say what is
 * wrong; server faults are 5xx with a fixed message, since theirs names keys and principals. The
 * error is the `cause` of the exception returned. Table and reasons: docs/http-errors.md.
 */
export function toHttpException(error: TieredCacheError): HttpException {
  const options = { cause: error };
  // A key or tag that is a string came from the data it was built from, the request's as a rule;
  // anything else is the key or tags function's own bug.
  if (error instanceof InvalidKeyError && typeof error.key === 'string') {
    return new HttpException(answer(HttpStatus.BAD_REQUEST, `The request makes an invalid cache key (${error.reason})`), HttpStatus.BAD_REQUEST, options);
  }
  if (error instanceof InvalidTagError && typeof error.tag === 'string') {
    return new HttpException(answer(HttpStatus.BAD_REQUEST, `The request makes an invalid cache tag (${error.reason})`), HttpStatus.BAD_REQUEST, options);
  }
  if (error instanceof MissingScopeError) {
    return new HttpException(answer(HttpStatus.UNAUTHORIZED, `This response is cached per ${error.scope}, and the request names no ${error.scope}`), HttpStatus.UNAUTHORIZED, options);
  }
  if (error instanceof LoaderTimeoutError) {
    return new HttpException(answer(HttpStatus.GATEWAY_TIMEOUT, 'The data source did not answer in time'), HttpStatus.GATEWAY_TIMEOUT, options);
  }
  if (error instanceof TierUnavailableError) {
    return new HttpException(answer(HttpStatus.SERVICE_UNAVAILABLE, 'The cache is unavailable'), HttpStatus.SERVICE_UNAVAILABLE, options);
  }
  if (error instanceof PayloadTooLargeError) {
    return new HttpException(answer(HttpStatus.INTERNAL_SERVER_ERROR, 'The response is larger than the cache may store'), HttpStatus.INTERNAL_SERVER_ERROR, options);
  }
  return new HttpException(answer(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error'), HttpStatus.INTERNAL_SERVER_ERROR, options);
}

/** The body Nest gives its own HTTP exceptions. */
function answer(statusCode: number, message: string): { statusCode: number; message: string; error: string } {
  return { statusCode, message, error: STATUS_TEXT[statusCode] ?? 'Error' };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
