import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { describeDatabaseUrl } from '../config/index.js';

/** A migration failed. Not worth a connection retry: it would fail the same way. */
export class MigrationFailedError extends Error {
  constructor(cause: unknown) {
    super(`Database migration failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/**
 * Connects, then applies pending migrations when `options.migrationsRun` is set. Done here rather
 * than by TypeORM's own `migrationsRun` so the log says which migrations ran (TypeORM reports them
 * only at its verbose "schema" log level).
 */
export async function initializeDataSource(options: DataSourceOptions, logger = new Logger('Database')): Promise<DataSource> {
  let dataSource: DataSource;
  try {
    dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  } catch (error) {
    const target = 'url' in options && options.url ? `${describeDatabaseUrl(options.url)} (DATABASE_URL)` : 'the embedded PGlite database';
    throw new Error(`Cannot connect to ${target}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!options.migrationsRun) {
    logger.log('Migrations not run (DB_MIGRATIONS_RUN=false)');
    return dataSource;
  }
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    logger.log(applied.length > 0 ? `Migrations applied: ${applied.map((m) => m.name).join(', ')}` : 'Migrations: none pending');
  } catch (error) {
    await dataSource.destroy();
    throw new MigrationFailedError(error);
  }
  return dataSource;
}
