import { HttpException, Inject, Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, concatMap, from, map, throwError, type Observable } from 'rxjs';
import { CacheAdminAudit } from './admin-audit.service.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import { principalName } from './admin.guard.js';
import type { AdminPrincipal, TieredCacheAdminOptions } from './admin.options.js';

const ADMIN_ACTION = Symbol('tiered-cache:admin-action');

interface ActionMetadata {
  action: string;
  kind: 'read' | 'write';
}

/** Names an admin endpoint for the audit log. Writes are always audited; reads when `auditReads`. */
export const AdminAction = (action: string, kind: ActionMetadata['kind']) => SetMetadata(ADMIN_ACTION, { action, kind } satisfies ActionMetadata);

interface AuditedRequest {
  user?: AdminPrincipal;
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

/**
 * Writes one `cache_audit_log` row per audited call, after it finished: its outcome (result or
 * error status) goes in `result`. Validation errors (400) and conflicts (409) are audited too.
 */
@Injectable()
export class AdminAuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: CacheAdminAudit,
    @Inject(TIERED_CACHE_ADMIN_OPTIONS) private readonly options: TieredCacheAdminOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const meta = this.reflector.get<ActionMetadata | undefined>(ADMIN_ACTION, context.getHandler());
    if (!meta || (meta.kind === 'read' && !this.options.auditReads)) return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    const who = principalName(request.user);
    const params = { params: request.params ?? {}, query: request.query ?? {}, body: request.body ?? {} };
    return next.handle().pipe(
      concatMap((result: unknown) => from(this.audit.record(who, meta.action, params, { ok: true, ...summary(result) })).pipe(map(() => result))),
      catchError((error: unknown) => {
        const status = error instanceof HttpException ? error.getStatus() : 500;
        const message = error instanceof HttpException ? error.getResponse() : (error as Error)?.message;
        return from(this.audit.record(who, meta.action, params, { ok: false, status, error: message })).pipe(concatMap(() => throwError(() => error)));
      }),
    );
  }
}

function summary(result: unknown): Record<string, unknown> {
  return typeof result === 'object' && result !== null && !Array.isArray(result) ? (result as Record<string, unknown>) : { value: result };
}
