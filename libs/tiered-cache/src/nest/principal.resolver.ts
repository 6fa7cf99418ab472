import type { ExecutionContext } from '@nestjs/common';
import type { CacheContext } from './cache-context.js';

/**
 * Reads the principal of a request. `request` is the first handler argument: the HTTP request for
 * HTTP, the client for WebSockets, the payload for microservices; use `context` for anything else.
 * Return `undefined` (or omit a field) when there is no principal: scoped calls then throw
 * `MissingScopeError` instead of sharing an entry.
 */
export type PrincipalResolver = (
  request: unknown,
  context: ExecutionContext,
) => CacheContext | undefined | Promise<CacheContext | undefined>;

interface RequestWithUser {
  user?: { sub?: unknown; tenant?: unknown } | null;
}

/** Reads `req.user.sub` and `req.user.tenant`, as set by a JWT guard. */
export const defaultPrincipalResolver: PrincipalResolver = (request) => {
  const user = (request as RequestWithUser | undefined)?.user;
  if (user === undefined || user === null) return undefined;
  return { userId: principalId(user.sub), tenantId: principalId(user.tenant) };
};

/**
 * Only strings and numbers identify a principal. Anything else (an object, an empty string) would
 * turn into a key segment many principals share, so it counts as no principal.
 */
export function principalId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
