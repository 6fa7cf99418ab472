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

/** The HTTP platform a subject runs on. */
type Platform = 'express' | 'fastify';

/**
 * The variants also measured on Fastify: the cache on each of our paths, and the framework's own
 * cost (the constant and the bare endpoint). The others mostly measure the database or the peers.
 */
const FASTIFY_VARIANTS: ReadonlySet<Variant['id']> = new Set(['cached', 'cacheResponse', 'constant', 'bare']);

/** One variant on one platform. */
interface Subject {
  readonly variant: Variant;
  readonly platform: Platform;
}

const SUBJECTS: readonly Subject[] = [
  ...VARIANTS.map((variant) => ({ variant, platform: 'express' as const })),
  ...VARIANTS.filter((variant) => FASTIFY_VARIANTS.has(variant.id)).map((variant) => ({ variant, platform: 'fastify' as const })),
];

const subjectKey = ({ platform, variant }: Subject) => `${platform}:${variant.id}`;

interface Measured {
  variant: Variant;
  platform: Platform;
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
  const { benchHttpModules, benchConstant, memoryRedisInterceptor } = await import('../lib/http-bench.module.js');
  const { measureInterceptorHits } = await import('../lib/interceptor-hit.js');
  log('case 8: booting the reference app (small seed) with the bench routes, listening on 127.0.0.1');
  const expressModules = benchHttpModules({ redisUrl: env.redisUrl, keyPrefix: env.prefix });
  const expressMemoryRedis = memoryRedisInterceptor.module;
  const app = await ref.startReferenceApp(env, { label: 'http', scale: ref.SEED_SCALES.small, imports: expressModules, listen: true });
  log('case 8: booting a second instance on Fastify, on the same database, Redis prefix and namespace');
  const fastify = await ref.startReferenceAppPeer(env, app, {
    imports: benchHttpModules({ redisUrl: env.redisUrl, keyPrefix: env.prefix }),
    listen: true,
    httpAdapter: 'fastify',
  });
  // The peer's modules replaced the Express app's in `memoryRedisInterceptor`: the in-process
  // measure selects that module in the Express app.
  memoryRedisInterceptor.module = expressMemoryRedis;
  const instances = { express: app, fastify } as const;
  const sessions = app.app.get(ref.ExpertSessionsService);
  benchConstant.value = await ref.ExpertSessionsService.prototype.getWithStats.call(sessions, SESSION_ID);
  const token = await ref.signToken(app.jwtSecret, { sub: 'student-1', role: 'user' });
  const headers = { authorization: `Bearer ${token}` };
  for (const platform of ['express', 'fastify'] as const) {
    const variants = SUBJECTS.filter((subject) => subject.platform === platform).map((subject) => subject.variant);
    await checkVariants(instances[platform].url!, variants, headers, JSON.stringify(benchConstant.value));
  }
  const counters = { express: ref.StatementCounter.install(app.dataSource), fastify: ref.StatementCounter.install(fastify.dataSource) };

  const gc = (globalThis as { gc?: () => void }).gc;
  const run = async ({ platform, variant }: Subject, durationS: number) => {
    const instance = instances[platform];
    gc?.();
    const result = await load({ url: `${instance.url}${variant.path}`, connections: CONNECTIONS, durationS, headers });
    await drain(instance.app.getHttpServer() as Server, instance.pool);
    return result;
  };
  log(`case 8: warm-up, ${sizing.warmUpS} s per variant and platform`);
  for (const subject of SUBJECTS) await run(subject, sizing.warmUpS);
  counters.express.take();
  counters.fastify.take();

  const results = new Map<string, Measured>(
    SUBJECTS.map((subject) => [subjectKey(subject), { variant: subject.variant, platform: subject.platform, rounds: [], domainStatements: 0, l3Statements: 0 }]),
  );
  for (let round = 0; round < sizing.rounds; round++) {
    log(`case 8: round ${round + 1} of ${sizing.rounds}, ${SUBJECTS.length} variants and platforms × ${sizing.durationS} s at ${CONNECTIONS} connections`);
    for (const subject of roundOrder(SUBJECTS, round)) {
      const result = await run(subject, sizing.durationS);
      // The idle instance's statements meanwhile (its timers, its listener) are no one's.
      const idle = subject.platform === 'express' ? counters.fastify : counters.express;
      idle.take();
      const counts = counters[subject.platform].take();
      const measured = results.get(subjectKey(subject))!;
      measured.rounds.push(result);
      measured.domainStatements += counts.count('domain');
      measured.l3Statements += counts.count('l3');
    }
  }
  log('case 8: interceptor hits in process');
  const inProcess = await measureInterceptorHits(app.app, benchConstant.value, settings.measure);
  await fastify.close();
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
async function checkVariants(baseUrl: string, variants: readonly Variant[], headers: Record<string, string>, expected: string): Promise<void> {
  for (const variant of variants) {
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

function report(sizing: Sizing, measured: Measured[], inProcess: MeasuredTask[]) {
  const results = measured.filter((result) => result.platform === 'express');
  const onFastify = measured.filter((result) => result.platform === 'fastify');
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
    title: `HTTP on Express, ${CONNECTIONS} connections, ${sizing.rounds} interleaved rounds of ${sizing.durationS} s per variant`,
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

  const platforms: Table = {
    title: `Fastify and Express: the same routes on the same cache state, in the same rounds`,
    columns: ['Variant', 'Express requests/s', 'Fastify requests/s', 'Fastify ÷ Express (requests/s)', 'Express p50 / p99', 'Fastify p50 / p99', 'Fastify SQL per request'],
    leftColumns: 1,
    rows: onFastify.map((result) => {
      const express = byId(result.variant.id);
      return [
        result.variant.name + (failures(result) > 0 ? ' ⚠' : ''),
        formatOps(rps(express)),
        formatOps(rps(result)),
        formatRatio(pairedRatio(result, express)),
        `${ms(p50(express))} / ${ms(p99(express))}`,
        `${ms(p50(result))} / ${ms(p99(result))}`,
        perRequest(result.domainStatements, result),
      ];
    }),
  };

  const notes: string[] = [];
  for (const result of measured) {
    if (failures(result) > 0) notes.push(`⚠ ${result.variant.name} on ${result.platform}: ${failures(result)} of ${requests(result)} requests were not a clean 2xx`);
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
      `Fastify: a second instance of the same app module and bench routes on \`@nestjs/platform-fastify\` (\`HTTP_ADAPTER=fastify\`, with the app's router options and body parsers), booted in the same process on the same database, Redis prefix, namespace and JWT secret, so on the same L2 and L3 entries; its L1 is its own and fills during its warm-up. It serves the ${[...FASTIFY_VARIANTS].map((id) => `\`${id}\``).join(', ')} variants; its runs are interleaved with Express's in the same rounds, so "Fastify ÷ Express" is a paired ratio. One instance is under load at a time; the other idles.`,
      `The bench's routes are registered before the app's, so the router matches a few more routes for ours. After ${sizing.warmUpS} s of warm-up per variant and platform, ${sizing.rounds} rounds run every variant once, in a rotated order, as fast as the server answers; requests/s and latencies are medians over rounds, ratios medians of the per-round ratios. After each run the bench waits for the server's connections to close and the pool to go idle. autocannon's latency histogram has a 1 ms resolution.`,
    ],
    tables: [table, platforms, inProcessTable],
    notes,
    targets,
  };
}
