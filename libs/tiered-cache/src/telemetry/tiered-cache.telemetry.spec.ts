import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Test } from '@nestjs/testing';
import type { TieredCache } from '../core/tiered-cache.js';
import { TieredCacheModule } from '../nest/tiered-cache.module.js';
import { createCacheFixture, sleep, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { uniqueName } from '../../../../test/support/isolation.js';
import { AsyncContextManager } from './testing/async-context.manager.js';
import { TieredCacheTelemetryModule } from './tiered-cache-telemetry.module.js';
import { instrumentTieredCache } from './tiered-cache.telemetry.js';

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

const named = (name: string) => spans.getFinishedSpans().filter((span) => span.name === name);
const only = (name: string): ReadableSpan => {
  const found = named(name);
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** The data points of a metric as `[attributes, value]`, value being the sum or, for a histogram, the count. */
async function points(name: string): Promise<Array<[Record<string, unknown>, number]>> {
  metricExporter.reset();
  await reader.forceFlush();
  const metric = metricExporter
    .getMetrics()
    .flatMap((resource) => resource.scopeMetrics)
    .flatMap((scope) => scope.metrics)
    .find((candidate) => candidate.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((point: DataPoint<unknown>) => [
    point.attributes,
    typeof point.value === 'number' ? point.value : (point.value as Histogram).count,
  ]);
}

describe('OpenTelemetry integration', () => {
  let fixture: CacheFixture;
  let cache: TieredCache;
  let uninstall: () => void;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncContextManager());
    fixture = await createCacheFixture('telemetry');
    cache = await fixture.create({ namespace: uniqueName('otel') });
    uninstall = instrumentTieredCache(cache, { tracerProvider, meterProvider });
  });
  afterEach(() => spans.reset());
  afterAll(async () => {
    uninstall();
    context.disable();
    await fixture.dispose();
  });

  it('draws a span per call, saying which tier answered, with the key prefix and never the key', async () => {
    await cache.getOrSet('product:1', () => ({ title: 'kettle' }));
    await cache.getOrSet('product:1', () => ({ title: 'never loaded' }));
    await cache.get('product:1', { tiers: ['l2'] });
    await cache.get('product:1', { tiers: ['l3'] });
    await cache.get('product:404');
    await cache.set('product:2', 'x');
    await cache.delete('product:2');
    await cache.invalidateTags(['product:1', 'catalog']);

    const attributes = spans.getFinishedSpans().map((span) => [span.name, span.attributes]);
    const base = { 'tiered_cache.namespace': cache.namespace, 'tiered_cache.key.prefix': 'product' };
    expect(attributes).toEqual([
      ['tiered_cache.load', { 'tiered_cache.namespace': cache.namespace, 'tiered_cache.key.prefix': 'product', 'tiered_cache.loader.background': false, 'tiered_cache.loader.outcome': 'ok' }],
      ['tiered_cache.getOrSet', { ...base, 'tiered_cache.operation': 'getOrSet', 'tiered_cache.tier': 'miss', 'tiered_cache.hit': false }],
      ['tiered_cache.getOrSet', { ...base, 'tiered_cache.operation': 'getOrSet', 'tiered_cache.tier': 'l1', 'tiered_cache.hit': true }],
      ['tiered_cache.get', { ...base, 'tiered_cache.operation': 'get', 'tiered_cache.tier': 'l2', 'tiered_cache.hit': true }],
      ['tiered_cache.get', { ...base, 'tiered_cache.operation': 'get', 'tiered_cache.tier': 'l3', 'tiered_cache.hit': true }],
      ['tiered_cache.get', { ...base, 'tiered_cache.operation': 'get', 'tiered_cache.tier': 'miss', 'tiered_cache.hit': false }],
      ['tiered_cache.set', { ...base, 'tiered_cache.operation': 'set' }],
      ['tiered_cache.delete', { ...base, 'tiered_cache.operation': 'delete' }],
      ['tiered_cache.invalidateTags', { 'tiered_cache.namespace': cache.namespace, 'tiered_cache.operation': 'invalidateTags', 'tiered_cache.tags.count': 2 }],
    ]);
    const load = only('tiered_cache.load');
    const first = named('tiered_cache.getOrSet')[0]!;
    expect(toMs(first.startTime)).toBeLessThanOrEqual(toMs(load.startTime) + 1);
    expect(toMs(first.endTime)).toBeGreaterThanOrEqual(toMs(load.endTime) - 1);
  });

  it('puts a span under the span active where the cache was called', async () => {
    const tracer = tracerProvider.getTracer('test');
    await tracer.startActiveSpan('request', async (request) => {
      await cache.getOrSet('order:1', async () => 1);
      request.end();
    });
    const parent = only('request');
    expect(only('tiered_cache.getOrSet').parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(only('tiered_cache.load').parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('marks callers that joined a running load, and a stale value served when the loader fails', async () => {
    const slow = async () => {
      await sleep(50);
      return 'v';
    };
    await Promise.all([cache.getOrSet('flight:1', slow), cache.getOrSet('flight:1', slow)]);
    const calls = named('tiered_cache.getOrSet').map((span) => span.attributes['tiered_cache.coalesced'] ?? false);
    expect(calls.sort()).toEqual([false, true]);
    expect(named('tiered_cache.load')).toHaveLength(1);

    spans.reset();
    await cache.getOrSet('stale:1', () => 'old', { ttl: 30, grace: '1m' });
    await sleep(60);
    expect(await cache.getOrSet('stale:1', () => Promise.reject(new Error('source down')), { ttl: 30, grace: '1m' })).toBe('old');
    expect(named('tiered_cache.getOrSet')[1]!.attributes).toMatchObject({ 'tiered_cache.tier': 'miss', 'tiered_cache.hit': false, 'tiered_cache.stale': true });
    expect(named('tiered_cache.load')[1]!.attributes['tiered_cache.loader.outcome']).toBe('error');

    await cache.getOrSet('stale:2', () => 'old', { ttl: 30, grace: '1m' });
    await sleep(60);
    spans.reset();
    const late = async () => {
      await sleep(200);
      return 'new';
    };
    expect(await cache.getOrSet('stale:2', late, { ttl: 30, grace: '1m', softTimeout: 20 })).toBe('old'); // past the soft timeout
    expect(only('tiered_cache.getOrSet').attributes).toMatchObject({ 'tiered_cache.tier': 'miss', 'tiered_cache.stale': true });
    await sleep(250); // the late load finishes here, not in the next test
  });

  it('records a failed call on its span, with no tier when none was asked', async () => {
    await expect(cache.get('')).rejects.toThrow('must not be empty');
    const span = only('tiered_cache.get');
    expect(span.status).toMatchObject({ code: 2, message: expect.stringContaining('must not be empty') });
    expect(span.attributes['error.type']).toBe('InvalidKeyError');
    expect(span.attributes['tiered_cache.tier']).toBeUndefined();
    expect(span.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('counts hits per tier and misses, and times calls and loaders', async () => {
    const namespace = cache.namespace;
    const before = await points('tiered_cache.hits');
    await cache.getOrSet('metric:1', () => 1);
    await cache.getOrSet('metric:1', () => 1);
    const hits = await points('tiered_cache.hits');
    const l1 = (list: typeof hits) => list.find(([a]) => a['tiered_cache.tier'] === 'l1' && a['tiered_cache.operation'] === 'getOrSet')?.[1] ?? 0;
    expect(l1(hits) - l1(before)).toBe(1);
    expect(hits.every(([a]) => a['tiered_cache.namespace'] === namespace)).toBe(true);
    expect((await points('tiered_cache.misses')).some(([a, n]) => a['tiered_cache.operation'] === 'getOrSet' && n >= 1)).toBe(true);
    expect((await points('tiered_cache.loader.duration')).some(([a, n]) => a['tiered_cache.loader.outcome'] === 'ok' && n >= 1)).toBe(true);
    const durations = await points('tiered_cache.operation.duration');
    expect(durations.some(([a]) => a['tiered_cache.operation'] === 'set')).toBe(true);
    expect(durations.some(([a]) => a['tiered_cache.operation'] === 'getOrSet' && a['tiered_cache.tier'] === 'l1')).toBe(true);
  });

  it('records the key only when asked, and takes a key prefix function', async () => {
    const other = await fixture.create({ namespace: uniqueName('otel') });
    const remove = instrumentTieredCache(other, { tracerProvider, metrics: false, recordKeys: true, keyPrefix: (key) => key.split('/')[1] });
    try {
      await other.set('/users/7', 1);
      expect(only('tiered_cache.set').attributes).toMatchObject({ 'tiered_cache.key': '/users/7', 'tiered_cache.key.prefix': 'users' });
    } finally {
      remove();
    }
  });

  it('costs a cache without it nothing: no observer, no clock read; removing it stops the spans', async () => {
    const plain = await fixture.create({ namespace: uniqueName('otel') });
    await plain.set('plain:1', 1);
    const clock = jest.spyOn(performance, 'now');
    try {
      await plain.getOrSet('plain:1', () => 2);
      await plain.get('plain:1');
      expect(clock).not.toHaveBeenCalled();
      const remove = instrumentTieredCache(plain, { tracerProvider, meterProvider });
      await plain.get('plain:1');
      expect(clock).toHaveBeenCalled();
      remove();
      clock.mockClear();
      spans.reset();
      await plain.get('plain:1');
      expect(clock).not.toHaveBeenCalled();
      expect(spans.getFinishedSpans()).toEqual([]);
    } finally {
      clock.mockRestore();
    }
  });

  it('TieredCacheTelemetryModule instruments the module cache, and stops on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TieredCacheModule.forRoot({ namespace: uniqueName('otel'), redis: { client: fixture.redis.client, keyPrefix: fixture.redis.prefix }, postgres: { pool: fixture.db.pool, schema: fixture.db.schema } }),
        TieredCacheTelemetryModule.forRoot({ tracerProvider, metrics: false }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const moduleCache = app.get<TieredCache>((await import('../core/tiered-cache.js')).TieredCache);
    await moduleCache.set('module:1', 1);
    expect(named('tiered_cache.set')).toHaveLength(1);
    await app.close();
    spans.reset();
    await moduleCache.get('module:1').catch(() => undefined);
    expect(spans.getFinishedSpans()).toEqual([]);
  });

  it('is a no-op without an SDK: the global providers record nothing and nothing breaks', async () => {
    const plain = await fixture.create({ namespace: uniqueName('otel') });
    const remove = instrumentTieredCache(plain);
    try {
      expect(await plain.getOrSet('noop:1', () => 'v')).toBe('v');
      expect(trace.getActiveSpan()).toBeUndefined();
      expect(spans.getFinishedSpans()).toEqual([]);
    } finally {
      remove();
    }
  });
});

function toMs([seconds, nanos]: [number, number]): number {
  return seconds * 1_000 + nanos / 1e6;
}
