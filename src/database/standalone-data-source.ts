import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/index.js';
import { dataSourceOptions } from './data-source.options.js';
import { openEmbeddedPostgres } from './embedded-postgres.js';

/**
 * Opens the configured database outside the app (embedded PGlite when no URL is set), runs `work`
 * on it, and closes the data source and PGlite whatever happens. For command-line scripts.
 */
export async function withDataSource<R>(config: DatabaseConfig, work: (dataSource: DataSource) => Promise<R>): Promise<R> {
  const embedded = config.url ? undefined : await openEmbeddedPostgres(config.pgliteDir);
  const dataSource = new DataSource(dataSourceOptions(config, embedded));
  try {
    await dataSource.initialize();
    return await work(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.close();
  }
}
