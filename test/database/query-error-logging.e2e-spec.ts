import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger, type LoggerService } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { createTestDatabase, type TestDatabase } from '../support/app/test-database.js';

/** Everything logged while a test runs: Nest's Logger, the console, and raw stdout/stderr writes. */
function captureLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const record = (...parts: unknown[]) => {
    lines.push(parts.map((part) => (part instanceof Error ? `${part.message} ${part.stack}` : typeof part === 'string' ? part : JSON.stringify(part))).join(' '));
  };
  const nest: LoggerService = { log: record, error: record, warn: record, debug: record, verbose: record, fatal: record };
  Logger.overrideLogger(nest);
  const spies = [
    jest.spyOn(console, 'log').mockImplementation(record),
    jest.spyOn(console, 'error').mockImplementation(record),
    jest.spyOn(console, 'warn').mockImplementation(record),
    jest.spyOn(console, 'info').mockImplementation(record),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (record(String(chunk)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (record(String(chunk)), true)),
  ];
  return {
    lines,
    restore() {
      for (const spy of spies) spy.mockRestore();
      Logger.overrideLogger(['error', 'warn']);
    },
  };
}

/**
 * The app's TypeORM settings on a real PostgreSQL: a failing query is logged with its SQL, through
 * Nest's Logger, and never with its parameters (chat text, tokens: whatever the request carried).
 */
describe('failed query logging', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let logs: ReturnType<typeof captureLogs> | undefined;
  const SECRET = 'sk_live_hunter2_do-not-log-me';

  beforeAll(async () => {
    database = await createTestDatabase('query_logging');
    dataSource = new DataSource(dataSourceOptions({ url: database.url, pgliteDir: '', migrationsRun: false }));
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE notes (id int PRIMARY KEY, body varchar(8) NOT NULL)');
  }, 30_000);

  afterEach(() => {
    logs?.restore();
    logs = undefined;
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const failing = async (sql: string, parameters: unknown[]) => {
    logs = captureLogs();
    await expect(dataSource.query(sql, parameters)).rejects.toThrow();
    return logs.lines.join('\n');
  };

  it('logs the SQL and the error code of a failed query, but not its parameters', async () => {
    const output = await failing('INSERT INTO notes (id, body) VALUES ($1, $2)', [1, SECRET]);
    expect(output).toContain('INSERT INTO notes (id, body) VALUES ($1, $2)');
    expect(output).toContain('22001'); // string_data_right_truncation
    expect(output).not.toContain('hunter2');
  });

  it('withholds the values PostgreSQL quotes in data errors', async () => {
    // "invalid input syntax for type integer: "<the parameter>"" would echo it.
    const output = await failing('SELECT $1::int AS n', [SECRET]);
    expect(output).toContain('SELECT $1::int AS n');
    expect(output).toContain('22P02');
    expect(output).not.toContain('hunter2');
  });

  it('keeps the message of other errors, which name the schema, not the data', async () => {
    const output = await failing('INSERT INTO missing_table (body) VALUES ($1)', [SECRET]);
    expect(output).toContain('relation "missing_table" does not exist');
    expect(output).not.toContain('hunter2');
  });
});
