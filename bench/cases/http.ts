import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { loadReferenceApp } from '../lib/app-alias.js';
import { load, type LoadResult } from '../lib/http-load.js';
import { median, medianRoundRatio, pairedRatio as pairedRatioOf, roundOrder, type Measured as MeasuredTask, type SubjectKind } from '../lib/measure.js';
import { find, formatOps, formatRatio, problemsOf, throughputTable, type Table, type TargetResult } from '../lib/report.js';
import { sleep } from '../lib/subjects.js';
import type { BenchCase, CaseContext } from './types.js';

const CONNECTIONS = 100;

/** An expert session of the small seed, with viewers. */
const SESSION_ID = 1;

interface Sizing {
  rounds: number;
  /** Seconds of each autocannon run. */
  durationS: number;
  /** Seconds of one unrecorded run per variant before the rounds (JIT, caches, connections). */
  warmUpS: number;
}
const FULL: Sizing = { rounds: 3, durationS: 10, warmUpS: 2 };
const QUICK: Sizing = { rounds: 2, durationS: 2, warmUpS: 1 };

interface Variant {
  id: 'cached' | 'cacheResponse' | 'interceptorTiered' | 'uncached' | 'interceptorRedis' | 'interceptorMemory' | 'constant' | 'bare';
  name: string;
  kind: SubjectKind;
  path: string;
}

const VARIANTS: readonly Variant[] = [
  { id: 'cached', name: 'ours: the app\'s `GET /expert-sessions/:id` (`@Cached`)', kind: 'ours', path: `/expert-sessions/${SESSION_ID}` },
  { id: 'cacheResponse', name: 'ours: `@CacheResponse` on the uncached handler', kind: 'ours', path: `/bench/cache-response/expert-sessions/${SESSION_ID}` },
  { id: 'interceptorTiered', name: 'ours under `CacheInterceptor` (`TieredKeyvStore`)', kind: 'ours', path: `/bench/cache-interceptor-tiered/expert-sessions/${SESSION_ID}` },
  { id: 'uncached', name: 'the same endpoint uncached (the query every time)', kind: 'baseline', path: `/bench/uncached/expert-sessions/${SESSION_ID}` },
  { id: 'interceptorRedis', name: '`CacheInterceptor`, Redis (`@keyv/redis`)', kind: 'peer', path: `/bench/cache-interceptor/expert-sessions/${SESSION_ID}` },
  { id: 'interceptorMemory', name: '`CacheInterceptor`, memory + Redis', kind: 'peer', path: `/bench/cache-interceptor-memory/expert-sessions/${SESSION_ID}` },
  { id: 'constant', name: 'constant, same guard, pipe and parameters', kind: 'baseline', path: `/bench/constant/expert-sessions/${SESSION_ID}` },
  { id: 'bare', name: 'bare: public, no parameters, constant', kind: 'baseline', path: '/bench/bare' },
];

interface Measured {
  variant: Variant;
  rounds: LoadResult[];
  /** The app's SQL statements (TypeORM) and the cache's L3 statements, over all recorded runs. */
  domainStatements: number;
  l3Statements: number;
}

export const httpCase: BenchCase = {
  id: '8',
  title: 'HTTP with autocannon: cached, uncached, `CacheInterceptor`, bare endpoint',
  run: (context) => runHttp(context),
};

async function runHttp({ env, settings, log }: CaseContext) {
  const sizing = settings.quick ? QUICK : FULL;
  const ref = await loadReferenceApp();
  const { benchHttpModules, benchConstant } = await import('../lib/http-bench.module.js');
  const { measureInterceptorHits } = await import('../lib/interceptor-hit.js');
  log('case 8: booting the reference app (small seed) with the bench routes, listening on 127.0.0.1');
  const app = await ref.startReferenceApp(env, {
    label: 'http',
    scale: ref.SEED_SCALES.small,
    imports: benchHttpModules({ redisUrl: env.redisUrl, keyPrefix: env.prefix }),
    listen: true,
  });
  const sessions = app.app.get(ref.ExpertSessionsService);
  benchConstant.value = await ref.ExpertSessionsService.prototype.getWithStats.call(sessions, SESSION_ID);
  const token = await ref.signToken(app.jwtSecret, { sub: 'student-1', role: 'user' });
  const headers = { authorization: `Bearer ${token}` };
  await checkVariants(app.url!, headers, JSON.stringify(benchConstant.value));
  const counter = ref.StatementCounter.install(app.dataSource);

  const gc = (globalThis as { gc?: () => void }).gc;
  const server = app.app.getHttpServer() as Server;
  const run = async (variant: Variant, durationS: number) => {
    gc?.();
    const result = await load({ url: `${app.url}${variant.path}`, connections: CONNECTIONS, durationS, headers });
    await drain(server, app.pool);
    return result;
  };
  log(`case 8: warm-up, ${sizing.warmUpS} s per variant`);
  for (const variant of VARIANTS) await run(variant, sizing.warmUpS);
  counter.take();

  const results = new Map<Variant['id'], Measured>(VARIANTS.map((variant) => [variant.id, { variant, rounds: [], domainStatements: 0, l3Statements: 0 }]));
  for (let round = 0; round < sizing.rounds; round++) {
    log(`case 8: round ${round + 1} of ${sizing.rounds}, ${VARIANTS.length} variants × ${sizing.durationS} s at ${CONNECTIONS} connections`);
    for (const variant of roundOrder(VARIANTS, round)) {
      const result = await run(variant, sizing.durationS);
      const counts = counter.take();
      const measured = results.get(variant.id)!;
      measured.rounds.push(result);
      measured.domainStatements += counts.count('domain');
      measured.l3Statements += counts.count('l3');
    }
  }
  log('case 8: interceptor hits in process');
  const inProcess = await measureInterceptorHits(app.app, benchConstant.value, settings.measure);
  await app.close();
  return report(sizing, [...results.values()], inProcess);
}

/**
 * autocannon stops at its deadline without waiting for the answers in flight; the server still
 * runs their handlers (the uncached ones queue for the pool). Waits until no connection is open and
 * the pool is idle, so that one variant's tail does not run on the next one's time.
 */
async function drain(server: Server, pool: { totalCount: number; idleCount: number; waitingCount: number }): Promise<void> {
  const deadline = performance.now() + 10_000;
  const connections = () => new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count ?? 0)));
  while (performance.now() < deadline) {
    if ((await connections()) === 0 && pool.waitingCount === 0 && pool.idleCount === pool.totalCount) break;
    await sleep(20);
  }
  await sleep(100);
}

/** Every variant answers 200 with the same body (the session), twice (the second a cache hit). */
async function checkVariants(baseUrl: string, headers: Record<string, string>, expected: string): Promise<void> {
  for (const variant of VARIANTS) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(`${baseUrl}${variant.path}`, { headers });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`case 8: ${variant.path} answered ${response.status}: ${body.slice(0, 200)}`);
      if (JSON.stringify(JSON.parse(body)) !== expected) throw new Error(`case 8: ${variant.path} answered another body than the session's: ${body.slice(0, 200)}`);
      if ((variant.id.startsWith('interceptor') || variant.id === 'cacheResponse') && attempt === 1 && response.headers.get('x-cache') !== 'HIT') {
        throw new Error(`case 8: ${variant.path}: CacheInterceptor did not hit on the second request`);
      }
    }
  }
}

function pairedRatio(a: Measured, b: Measured): number {
  return medianRoundRatio(a.rounds.map((round) => round.rps), b.rounds.map((round) => round.rps));
}

function report(sizing: Sizing, results: Measured[], inProcess: MeasuredTask[]) {
  const byId = (id: Variant['id']) => results.find((result) => result.variant.id === id)!;
  const ours = byId('cached');
  const rps = (result: Measured) => median(result.rounds.map((round) => round.rps));
  const p50 = (result: Measured) => median(result.rounds.map((round) => round.p50Ms));
  const p99 = (result: Measured) => median(result.rounds.map((round) => round.p99Ms));
  const worstP99 = (result: Measured) => Math.max(...result.rounds.map((round) => round.p99Ms));
  const requests = (result: Measured) => result.rounds.reduce((sum, round) => sum + round.requests, 0);
  const failures = (result: Measured) => result.rounds.reduce((sum, round) => sum + round.failures, 0);
  const spread = (result: Measured) => {
    const values = result.rounds.map((round) => round.rps);
    return values.length < 2 ? '—' : `±${((50 * (Math.max(...values) - Math.min(...values))) / rps(result)).toFixed(0)}%`;
  };
  const perRequest = (statements: number, result: Measured) => (statements / Math.max(1, requests(result))).toFixed(statements === 0 ? 0 : 2);
  const ms = (value: number) => `${value} ms`;

  const table: Table = {
    title: `HTTP, ${CONNECTIONS} connections, ${sizing.rounds} interleaved rounds of ${sizing.durationS} s per variant`,
    columns: ['Variant', 'Kind', 'Requests/s (median)', 'Round spread', 'p50', 'p99', 'p99, worst round', 'SQL per request', 'L3 per request', `ours ÷ variant (requests/s)`],
    leftColumns: 2,
    rows: results.map((result) => [
      result.variant.name + (failures(result) > 0 ? ' ⚠' : ''),
      result.variant.kind,
      formatOps(rps(result)),
      spread(result),
      ms(p50(result)),
      ms(p99(result)),
      ms(worstP99(result)),
      perRequest(result.domainStatements, result),
      perRequest(result.l3Statements, result),
      result === ours ? '1.00× (reference)' : formatRatio(pairedRatio(ours, result)),
    ]),
  };

  const notes: string[] = [];
  for (const result of results) {
    if (failures(result) > 0) notes.push(`⚠ ${result.variant.name}: ${failures(result)} of ${requests(result)} requests were not a clean 2xx`);
  }
  notes.push(...problemsOf(inProcess));
  const oursInProcess = find(inProcess, 'ours: `CacheResponseInterceptor` hit');
  const inProcessTable = throughputTable('Interceptor hit, in process (no HTTP)', inProcess, oursInProcess);
  const bare = byId('bare');
  const constant = byId('constant');
  notes.push(
    `A closed loop of ${CONNECTIONS} connections keeps ${CONNECTIONS} requests in flight, so the mean latency is ${CONNECTIONS} ÷ requests/s whatever the endpoint: ` +
      `a p99 under 5 ms needs well over ${formatOps(CONNECTIONS / 0.005)} requests/s; the bare endpoint ran at ${formatOps(rps(bare))} (mean ${(1000 * CONNECTIONS / rps(bare)).toFixed(1)} ms).`,
  );

  const interceptorRatios = [pairedRatio(ours, byId('interceptorRedis')), pairedRatio(ours, byId('interceptorMemory'))];
  const tiered = byId('interceptorTiered');
  const tieredRatios = [pairedRatio(tiered, byId('interceptorRedis')), pairedRatio(tiered, byId('interceptorMemory'))];
  const response = byId('cacheResponse');
  const responseRatios = [pairedRatio(response, byId('interceptorRedis')), pairedRatio(response, byId('interceptorMemory'))];
  const targets: TargetResult[] = [
    {
      name: 'HTTP: cached vs bare endpoint',
      goal: '≥ 0.8× the bare endpoint\'s requests/s',
      measured:
        `${formatRatio(pairedRatio(ours, constant))} of the constant endpoint behind the same guard and pipe (${formatOps(rps(ours))} vs ${formatOps(rps(constant))} requests/s); ` +
        `${formatRatio(pairedRatio(ours, bare))} of the fully bare one (${formatOps(rps(bare))})`,
      met: pairedRatio(ours, constant) >= 0.8,
    },
    {
      name: 'HTTP: cached p99 at 100 connections',
      goal: 'under 5 ms',
      measured: `${ms(p99(ours))} (p50 ${ms(p50(ours))}); bare endpoint ${ms(p99(bare))}. Closed loop: mean latency = ${CONNECTIONS} ÷ requests/s, so < 5 ms needs > ${formatOps(CONNECTIONS / 0.005)} requests/s`,
      met: p99(ours) < 5,
    },
    {
      name: 'HTTP: cached vs `CacheInterceptor`',
      goal: 'ahead (> 1×)',
      measured:
        `\`@Cached\` endpoint ${formatRatio(interceptorRatios[0]!)} vs Redis only, ${formatRatio(interceptorRatios[1]!)} vs memory + Redis; ` +
        `ours under \`CacheInterceptor\` (\`TieredKeyvStore\`) ${formatRatio(tieredRatios[0]!)} and ${formatRatio(tieredRatios[1]!)}`,
      met: interceptorRatios.every((ratio) => ratio > 1),
    },
    {
      name: 'HTTP: `@CacheResponse` vs `CacheInterceptor`',
      goal: 'ahead (> 1×)',
      measured:
        `${formatRatio(responseRatios[0]!)} vs Redis only, ${formatRatio(responseRatios[1]!)} vs memory + Redis ` +
        `(${formatOps(rps(response))} vs ${formatOps(rps(byId('interceptorRedis')))} and ${formatOps(rps(byId('interceptorMemory')))} requests/s); ` +
        `in process, a hit runs at ${formatRatio(pairedRatioOf(oursInProcess, find(inProcess, '`CacheInterceptor` hit, memory + Redis')))} \`CacheInterceptor\`'s throughput`,
      met: responseRatios.every((ratio) => ratio > 1),
    },
  ];

  return {
    id: '8',
    title: httpCase.title,
    setup: [
      `The reference app as \`main.ts\` runs it (global JWT guard, global validation pipe, L1 + L2 Redis + L3 PostgreSQL, trigger listener), on a database of its own with the small seed, listening on 127.0.0.1 in the bench process; autocannon fires from a worker thread of the same process (\`workers: 1\`), ${CONNECTIONS} connections, no pipelining, the same bearer token (role user) on every request.`,
      `Ours: the app's own \`GET /expert-sessions/${SESSION_ID}\` (\`ExpertSessionsService.getWithStats\`, \`@Cached\`, an L1 hit once warm). The other variants are bench-only routes (\`bench/lib/http-bench.module.ts\`) with the same guard, pipe and \`IdParamDto\` parameter, returning the same session: uncached (the undecorated method from the class prototype, one SQL query per request); \`@nestjs/cache-manager\`'s \`CacheInterceptor\` (key: the URL, TTL 5 min) in front of the uncached handler, each set-up its own \`CacheModule\`: on \`@keyv/redis\` alone, on memory + \`@keyv/redis\`, and on our engine through the library's \`TieredKeyvStore\` (the app's \`TieredCache\`, all tiers); our \`@CacheResponse\` (key: the URL, the same TTL and the tags \`@Cached\` gives the method) in front of the uncached handler; a constant from an async handler.`,
      'What differs: Nest runs the pipes inside the interceptor chain, so a `CacheInterceptor` or `@CacheResponse` hit answers before the validation pipe (and the handler) runs, where `@Cached` sits in the service, after the guard and the pipe. The guard runs for every variant but the bare one.',
      'The bare endpoint is `@Public()` (the guard returns at once), has no parameter to validate and returns the same constant: the framework\'s limit. The target is taken against the constant endpoint with the same guard and pipe, so that it measures what the cache costs; the bare row shows what the JWT check and the validation cost on top.',
      `The bench's routes are registered before the app's, so Express matches a few more routes for ours. After ${sizing.warmUpS} s of warm-up per variant, ${sizing.rounds} rounds run every variant once, in a rotated order, as fast as the server answers; requests/s and latencies are medians over rounds, ratios medians of the per-round ratios. After each run the bench waits for the server's connections to close and the pool to go idle. autocannon's latency histogram has a 1 ms resolution.`,
    ],
    tables: [table, inProcessTable],
    notes,
    targets,
  };
}
