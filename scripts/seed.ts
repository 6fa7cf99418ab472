import { parseArgs } from 'node:util';
import { runCli, UsageError } from './cli.js';
import { describeDatabaseUrl, loadConfig } from '../src/config/index.js';
import { withDataSource } from '../src/database/standalone-data-source.js';
import { SEED_SCALE_NAMES, SEED_SCALES, seedDatabase, type SeedScaleName } from '../src/domain/seed/index.js';

const USAGE = `Usage: npm run seed -- [--scale small|medium|large]
Applies pending migrations, then REPLACES all domain data (clients ... chat_messages) with a
deterministic data set. Uses DATABASE_URL, or the embedded PGlite database in PGLITE_DIR when unset
(stop the app first: only one process may open PGlite). Default scale: small.`;

/** `npm run seed -- --scale large`: fills the configured database; see docs/reference-app.md. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scale: { type: 'string', default: 'small' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const scaleName = values.scale as SeedScaleName;
  if (!SEED_SCALE_NAMES.includes(scaleName)) throw new UsageError(`--scale must be one of ${SEED_SCALE_NAMES.join(', ')}, got ${values.scale}`);

  const config = loadConfig();
  const target = config.database.url ? describeDatabaseUrl(config.database.url) : `embedded PGlite in ${config.database.pgliteDir}`;
  await withDataSource(config.database, async (dataSource) => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) console.log(`Migrations applied: ${applied.map((m) => m.name).join(', ')}`);
    console.log(`Seeding ${target} at scale ${scaleName}`);
    const runner = dataSource.createQueryRunner();
    try {
      const report = await seedDatabase(runner, SEED_SCALES[scaleName], (step, ms) => console.log(`  ${step.padEnd(24)} ${String(ms).padStart(7)} ms`));
      console.log(`Done in ${(report.totalMs / 1000).toFixed(1)} s. Rows:`);
      for (const [table, count] of Object.entries(report.rows)) console.log(`  ${table.padEnd(24)} ${count.toLocaleString('en-US').padStart(10)}`);
    } finally {
      await runner.release();
    }
  });
}

runCli(main, USAGE);
