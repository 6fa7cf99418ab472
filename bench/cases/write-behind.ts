import { Redis } from 'ioredis';
import { RedisStreamQueue, WriteBehind, WriteBehindFlusher } from '../../libs/tiered-cache/src/write-behind/index.js';
import { measure, sequential, wave, type BenchTask, type Measured } from '../lib/measure.js';
import { find, problemsOf, throughputTable } from '../lib/report.js';
import { createOurs } from '../lib/subjects.js';
import type { BenchCase } from './types.js';

/** Rows the writes go to: many players, each reporting for one session. */
const ROWS = 1_000;
const CONCURRENCY = [1, 64] as const;

interface Position {
  readonly seconds: number;
}
const maxima = (a: Position, b: Position): Position => ({ seconds: Math.max(a.seconds, b.seconds) });

/**
 * A progress report acknowledged by the write-behind (an `XADD`, then the merged row through the
 * cache) against the same report written through to PostgreSQL at once (one upsert keeping maxima),
 * and a bare `XADD` as the floor. After the rounds the backlog is flushed, to show the coalescing.
 */
export const writeBehindCase: BenchCase = {
  id: '11',
  title: 'Write-behind report vs write-through upsert, concurrency 1 and 64',
  async run({ env, settings, log }) {
    const table = `"${env.schema}".wb_positions`;
    await env.pool.query(`CREATE TABLE ${table} (row_key text PRIMARY KEY, seconds int NOT NULL, last_at timestamptz NOT NULL)`);
    const upsert = `INSERT INTO ${table} AS p (row_key, seconds, last_at) VALUES ($1, $2, $3)
      ON CONFLICT (row_key) DO UPDATE SET seconds = greatest(p.seconds, excluded.seconds), last_at = greatest(p.last_at, excluded.last_at)`;
    const client = new Redis(env.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    env.onDispose(() => client.disconnect());
    await new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
    const cache = await createOurs(env, 'case10', { l1: true, l2: true, l3: true });
    const queue = new RedisStreamQueue<Position>({ client, stream: `${env.prefix}wb:positions` });
    const writes = new WriteBehind<Position>({
      queue,
      cache,
      merge: maxima,
      cacheKey: (rowKey) => `pos:${rowKey}`,
      load: async () => undefined,
    });
    let counter = 0;
    const rowKey = (index: number) => `row:${index % ROWS}`;

    const tables = [];
    const all: Measured[] = [];
    for (const concurrency of CONCURRENCY) {
      const run = (call: (index: number) => Promise<unknown>) => (concurrency === 1 ? sequential(1, call) : wave(concurrency, call));
      const tasks: BenchTask[] = [
        { name: 'write-behind write', kind: 'ours', ops: concurrency, concurrency, fn: run((index) => writes.write(rowKey(index), { seconds: ++counter })) },
        {
          name: 'write-through upsert (PostgreSQL)',
          kind: 'baseline',
          ops: concurrency,
          concurrency,
          fn: run((index) => env.pool.query(upsert, [rowKey(index), ++counter, new Date()])),
        },
        { name: 'raw XADD', kind: 'baseline', ops: concurrency, concurrency, fn: run((index) => client.xadd(`${env.prefix}wb:raw`, '*', 'k', rowKey(index), 'v', String(++counter))) },
      ];
      log(`case 11: measuring at concurrency ${concurrency}`);
      const results = await measure(tasks, settings.measure);
      all.push(...results);
      tables.push(throughputTable(`Report, concurrency ${concurrency}`, results, find(results, 'write-behind write')));
    }

    log('case 11: flushing the backlog');
    const backlog = (await queue.backlog()).size;
    const flusher = new WriteBehindFlusher<Position>({
      queue,
      client,
      merge: maxima,
      batchSize: 5_000,
      writer: async (rows) => {
        await env.pool.query(
          `INSERT INTO ${table} AS p (row_key, seconds, last_at) SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[])
           ON CONFLICT (row_key) DO UPDATE SET seconds = greatest(p.seconds, excluded.seconds), last_at = greatest(p.last_at, excluded.last_at)`,
          [rows.map((r) => r.rowKey), rows.map((r) => r.value.seconds), rows.map((r) => new Date(r.lastAcceptedAt))],
        );
      },
    });
    const started = performance.now();
    for (;;) {
      const outcome = await flusher.flushOnce();
      if (outcome.status === 'flushed' && outcome.writes === 0) break;
    }
    const flushMs = performance.now() - started;
    const stats = flusher.stats();
    await flusher.stop();
    return {
      id: '11',
      title: 'Write-behind report vs write-through upsert, concurrency 1 and 64',
      setup: [
        `${ROWS} rows, each report raising one row's maximum. "write-behind write": \`XADD\` to a Redis Stream, then the merged row read and \`set\` through our cache (L1 and L2, where the queue lives). "write-through upsert": one \`INSERT ... ON CONFLICT DO UPDATE\` keeping maxima per report on the run's pool. "raw XADD": the durable step alone.`,
        'Concurrency 64: a sample is a wave of 64 concurrent reports; ops/s counts reports.',
      ],
      tables,
      notes: [
        ...problemsOf(all),
        `Flush after the rounds: ${backlog} queued reports in ${stats.batches} batches of up to 5,000, coalesced into ${stats.flushedRows} row updates (${(stats.flushedWrites / Math.max(1, stats.flushedRows)).toFixed(1)} reports per row update), in ${Math.round(flushMs)} ms.`,
      ],
      targets: [],
    };
  },
};
