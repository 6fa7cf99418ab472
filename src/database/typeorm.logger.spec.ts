import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger, type LoggerService } from '@nestjs/common';
import { describeError, TypeOrmNestLogger } from './typeorm.logger.js';

/** A driver error as node-postgres shapes it. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, detail: 'Key (email)=(alice@example.com) already exists.' });

describe('TypeOrmNestLogger', () => {
  let lines: Array<[string, string]>;

  beforeEach(() => {
    lines = [];
    const record = (level: string) => (message: unknown) => void lines.push([level, String(message)]);
    const capture: LoggerService = { log: record('log'), error: record('error'), warn: record('warn'), debug: record('debug'), verbose: record('verbose') };
    Logger.overrideLogger(capture);
  });

  afterEach(() => {
    Logger.overrideLogger(['error', 'warn']);
  });

  it('logs a slow statement as a warning with its SQL, without parameters', () => {
    new TypeOrmNestLogger().logQuerySlow(2_345, '  SELECT * FROM chat_messages WHERE content = $1 ', ['my secret message']);
    expect(lines).toEqual([['warn', 'Slow query (2345 ms): SELECT * FROM chat_messages WHERE content = $1']]);
  });

  it('logs a failed statement as an error with SQLSTATE and SQL, without parameters or detail', () => {
    new TypeOrmNestLogger().logQueryError(pgError('23505', 'duplicate key value violates unique constraint "students_email_key"'), 'INSERT INTO students (email) VALUES ($1)', [
      'alice@example.com',
    ]);
    expect(lines).toEqual([['error', 'Query failed: 23505 duplicate key value violates unique constraint "students_email_key" -- SQL: INSERT INTO students (email) VALUES ($1)']]);
  });

  it('logs only the levels it is given; statements themselves only at `query`, at debug', () => {
    const quiet = new TypeOrmNestLogger(['migration']);
    quiet.logQuery('SELECT 1');
    quiet.logQuerySlow(5_000, 'SELECT pg_sleep(5)');
    quiet.logQueryError(new Error('boom'), 'SELECT 1');
    quiet.log('warn', 'a warning');
    quiet.logMigration('Migration X has been executed successfully.');
    expect(lines).toEqual([['log', 'Migration X has been executed successfully.']]);
    new TypeOrmNestLogger(['query']).logQuery('SELECT $1', ['secret']);
    expect(lines.at(-1)).toEqual(['debug', 'Query: SELECT $1']);
  });

  it('shortens very long SQL', () => {
    new TypeOrmNestLogger().logQuerySlow(3_000, `SELECT ${'x, '.repeat(2_000)}1`);
    expect(lines[0][1].length).toBeLessThan(2_100);
    expect(lines[0][1]).toMatch(/… \(6008 characters\)$/);
  });
});

describe('describeError', () => {
  it.each([
    ['22P02', 'invalid input syntax for type integer: "hunter2"', '22P02 invalid input syntax for type integer: "…"'],
    ['22003', 'value "99999999999 hunter2" is out of range for type integer', '22003 value "…" is out of range for type integer'],
    ['22P02', 'invalid input value for enum status: "a "quoted" hunter2"', '22P02 invalid input value for enum status: "…"'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x68 0x75', '22021 invalid byte sequence for encoding "…": 0x… 0x…'],
    ['P0001', 'user hunter2 not allowed', 'P0001 (message withheld: raised by PL/pgSQL)'],
    ['42P01', 'relation "missing" does not exist', '42P01 relation "missing" does not exist'],
  ])('%s %j is logged as %j', (code, message, expected) => {
    expect(describeError(pgError(code, message))).toBe(expected);
  });
});
