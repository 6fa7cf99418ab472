import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { TIERED_CACHE_METRICS_OPTIONS } from './metrics.constants.js';
import type { TieredCacheMetricsOptions } from './metrics.options.js';

/** Requires `Authorization: Bearer <token>` when the module's `token` option is set. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(TIERED_CACHE_METRICS_OPTIONS) options: TieredCacheMetricsOptions) {
    this.expected = options.token ? digest(options.token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    // Compare digests: equal length, constant time, whatever the length of what was sent.
    if (!match || !timingSafeEqual(digest(match[1]!), this.expected)) {
      throw new UnauthorizedException('Metrics need "Authorization: Bearer <token>"');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
