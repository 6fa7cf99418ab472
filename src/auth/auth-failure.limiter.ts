import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { clientAddress, type ClientRequest } from '../http/client-address.js';
import { FixedWindowCounter } from '../http/fixed-window.counter.js';
import { tooManyRequests, type RetryAfterTarget } from '../http/too-many-requests.js';

/**
 * Counts failed authentications (missing, malformed or invalid tokens) per client address. Past
 * `RATE_LIMIT_AUTH_FAILURES` in a window, every authenticated route answers that client 429 until
 * the window ends, with a valid token too: otherwise a guesser would still learn which guess was
 * right. Public routes (health, metrics, the docs) are not affected.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly failures: FixedWindowCounter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.failures = new FixedWindowCounter(config.http.authFailures);
  }

  /** @throws HttpException 429, with `Retry-After` set on the response, while the client is blocked. */
  assertAllowed(request: ClientRequest, response: RetryAfterTarget): void {
    const wait = this.failures.blockedFor(clientAddress(request));
    if (wait > 0) throw tooManyRequests(response, 'Too many failed authentication attempts from this address; retry later', wait);
  }

  recordFailure(request: ClientRequest): void {
    this.failures.hit(clientAddress(request));
  }
}
