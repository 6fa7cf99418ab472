import { countingLoader, keyRange, noLoaderCalls } from '../lib/loader.js';
import { measure, sequential, type BenchTask } from '../lib/measure.js';
import { find, problemsOf, throughputTable } from '../lib/report.js';
import { createOurs, sampleValue } from '../lib/subjects.js';
import type { BenchCase } from './types.js';

const KEY_COUNT = 1_024;
const NAMESPACE = 'case3';

export const l3HitCase: BenchCase = {
  id: '3',
  title: 'L3 hit (L1 and L2 cold)',
  async run({ env, settings, log }) {
    const keys = keyRange('l3:', KEY_COUNT);
    const values = keys.map((_, index) => sampleValue(index));
    // L1 and L2 cold, fairly: a cache with only its PostgreSQL tier, so every read is an L3 read.
    const ours = await createOurs(env, NAMESPACE, { l1: false, l3: true });
    const loader = countingLoader(() => values[0]);
    const oursFull = await createOurs(env, NAMESPACE, { l1: true, l2: true, l3: true });
    const fullLoader = countingLoader(() => values[0]);
    const l3Only = { tiers: ['l3'] as const };

    log('case 3: filling PostgreSQL');
    for (let index = 0; index < KEY_COUNT; index++) await ours.set(keys[index]!, values[index]);
    const select = `SELECT value FROM "${env.schema}".cache_entries WHERE namespace = $1 AND key = $2`;
    const { rowCount } = await env.pool.query(select, [NAMESPACE, keys[0]]);
    if (rowCount !== 1) throw new Error('case 3: the L3 table does not hold the entries');

    const key = (index: number) => keys[index % KEY_COUNT]!;
    const tasks: BenchTask[] = [
      { name: 'ours getOrSet (L3 only)', kind: 'ours', fn: sequential(1, (index) => ours.getOrSet(key(index), loader)), check: noLoaderCalls(loader) },
      {
        name: "ours getOrSet, tiers: ['l3']",
        kind: 'ours',
        fn: sequential(1, (index) => oursFull.getOrSet(key(index), fullLoader, l3Only)),
        check: noLoaderCalls(fullLoader),
      },
      { name: 'SELECT by primary key', kind: 'baseline', fn: sequential(1, (index) => env.pool.query(select, [NAMESPACE, key(index)])) },
    ];
    log('case 3: measuring');
    const results = await measure(tasks, settings.measure);
    const primary = find(results, 'ours getOrSet (L3 only)');
    return {
      id: '3',
      title: 'L3 hit (L1 and L2 cold)',
      setup: [
        `${KEY_COUNT} keys in the L3 table, each a ~0.5 kB record; one awaited call per sample (concurrency 1).`,
        'Ours: a cache with only its PostgreSQL tier (`memory: false`, no Redis), so every read is an L3 read; also our full L1 + L2 + L3 cache read with `{ tiers: [\'l3\'] }` per call. Both use the run\'s `pg` pool (10 connections).',
        'Baseline: `SELECT value FROM cache_entries WHERE namespace = $1 AND key = $2` on the same pool and table. Our read also returns the tag stamps and the tier clock in the same statement, and counts the hit (flushed in batches).',
        'No peer here: BentoCache\'s database driver needs knex, kysely or orchid-orm and cache-manager a `@keyv/postgres` store, none of which are dependencies of this project.',
      ],
      tables: [throughputTable('L3 hit, concurrency 1', results, primary)],
      notes: problemsOf(results),
      targets: [],
    };
  },
};
