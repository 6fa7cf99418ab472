import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/index.js';
import { dataSourceOptions } from './data-source.options.js';
import { openEmbeddedPostgres } from './embedded-postgres.js';

/**
 * `npm run migration:run` (`migration:revert` with `--revert`): applies pending migrations, or
 * reverts the last one, on the configured database, without starting the app.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.database.url ? undefined : await openEmbeddedPostgres(config.database.pgliteDir);
  const dataSource = new DataSource(dataSourceOptions(config.database, embedded));
  try {
    await dataSource.initialize();
    if (process.argv.includes('--revert')) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    } else {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'No pending migrations.');
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.pglite.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
