import { Logger as NestLogger } from '@nestjs/common';
import type { Logger, LogLevel } from 'typeorm';

/** Longest SQL text a log line carries; the seed's statements run to kilobytes. */
const MAX_SQL_LENGTH = 2_000;

/**
 * TypeORM's logger, writing through Nest's `Logger` (context `TypeORM`) so its lines have the app's
 * format and levels. A failed or slow statement is logged with its SQL text and SQLSTATE, **never
 * its parameters**: they carry what requests sent (chat messages, ids, anything). TypeORM's own
 * loggers print them, on `console.log`.
 *
 * Given as an instance, TypeORM no longer applies its `logging` option, so the levels are given
 * here: `query` (SQL text at debug), `error` (failed statements), `warn` (slow statements, TypeORM
 * warnings), `migration`, `schema` (debug), `info` and `log`.
 */
export class TypeOrmNestLogger implements Logger {
  private readonly logger = new NestLogger('TypeORM');
  private readonly levels: ReadonlySet<LogLevel>;

  constructor(levels: readonly LogLevel[] = ['error', 'warn', 'migration']) {
    this.levels = new Set(levels);
  }

  // `_parameters` is accepted and never read: that is the point of this class.
  logQuery(query: string, _parameters?: unknown): void {
    if (this.levels.has('query')) this.logger.debug(`Query: ${sqlText(query)}`);
  }

  logQueryError(error: string | Error, query: string, _parameters?: unknown): void {
    if (this.levels.has('error')) this.logger.error(`Query failed: ${describeError(error)} -- SQL: ${sqlText(query)}`);
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown): void {
    if (this.levels.has('warn')) this.logger.warn(`Slow query (${time} ms): ${sqlText(query)}`);
  }

  logSchemaBuild(message: string): void {
    if (this.levels.has('schema')) this.logger.debug(message);
  }

  logMigration(message: string): void {
    if (this.levels.has('migration')) this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (!this.levels.has(level)) return;
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    if (level === 'warn') this.logger.warn(text);
    else this.logger.log(text);
  }
}

function sqlText(query: string): string {
  const text = query.trim();
  return text.length > MAX_SQL_LENGTH ? `${text.slice(0, MAX_SQL_LENGTH)}… (${text.length} characters)` : text;
}

/**
 * The driver error as SQLSTATE and message. PostgreSQL quotes the offending input in data errors
 * (class 22: `invalid input syntax for type integer: "<parameter>"`), so there the quoted part and
 * any byte dump are withheld; a PL/pgSQL `RAISE` (class P0) says whatever its author put in, so its
 * message is withheld whole. Other messages name schema objects, not data. `detail`, which holds
 * the conflicting row of a constraint violation, is never logged.
 */
export function describeError(error: string | Error): string {
  if (typeof error === 'string') return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error.message;
  if (code.startsWith('P0')) return `${code} (message withheld: raised by PL/pgSQL)`;
  if (code.startsWith('22')) return `${code} ${error.message.replace(/"[\s\S]*"/, '"…"').replace(/0x[0-9a-f]{2}/gi, '0x…')}`;
  return `${code} ${error.message}`;
}
