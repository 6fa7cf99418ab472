import { QueryFailedError } from 'typeorm';

/**
 * The SQLSTATE of a failed query (TypeORM wraps node-postgres' error), e.g. `23503` for a foreign
 * key violation. Used where a check-then-write could race with a concurrent delete.
 */
export function sqlState(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const FOREIGN_KEY_VIOLATION = '23503';
