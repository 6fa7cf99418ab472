import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { defer, finalize, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { retryAfterTarget, tooManyRequests } from '../http/too-many-requests.js';

/**
 * Caps the event streams one user has open on this instance at `SSE_MAX_STREAMS_PER_USER`: one
 * more gets 429 before the stream starts. Each open stream holds a connection, a LISTEN watcher
 * and a heartbeat timer, so a token looping on `/chats/:id/events` would otherwise exhaust them.
 *
 * The slot is taken when Nest subscribes to the stream and given back when the subscription ends
 * for any reason (the client leaves, the chat is deleted, validation fails, the app shuts down),
 * so a stream that never starts never holds one.
 */
@Injectable()
export class ChatStreamLimitInterceptor implements NestInterceptor {
  private readonly open = new Map<string, number>();
  private readonly max: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.max = config.http.maxStreamsPerUser;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!user) return next.handle();
    return defer(() => {
      const count = this.open.get(user.sub) ?? 0;
      // Thrown before the first event, so the exception filter still answers with a 429.
      if (count >= this.max) {
        throw tooManyRequests(retryAfterTarget(this.adapterHost, context), `At most ${this.max} event streams may be open per user; close one first`);
      }
      this.open.set(user.sub, count + 1);
      return next.handle().pipe(finalize(() => this.release(user.sub)));
    });
  }

  private release(sub: string): void {
    const count = (this.open.get(sub) ?? 1) - 1;
    if (count <= 0) this.open.delete(sub);
    else this.open.set(sub, count);
  }
}
