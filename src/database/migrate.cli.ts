import { ConfigError, loadConfig } from '../config/index.js';
import { withDataSource } from './standalone-data-source.js';

/**
 * `npm run migration:run` (`migration:revert` with `--revert`): applies pending migrations, or
 * reverts the last one, on the configured database, without starting the app.
 */
async function main(): Promise<void> {
  await withDataSource(loadConfig().database, async (dataSource) => {
    if (process.argv.includes('--revert')) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    } else {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'No pending migrations.');
    }
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
