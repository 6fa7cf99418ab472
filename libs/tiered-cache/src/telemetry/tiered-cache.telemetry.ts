import { metrics, SpanKind, SpanStatusCode, trace, type Attributes, type Counter, type Histogram, type Tracer } from '@opentelemetry/api';
import type { CacheCallEvent, CacheObserver, LoaderEvent } from '../core/observer.js';
import type { TieredCache } from '../core/tiered-cache.js';
import { defaultKeyPrefix, type TieredCacheTelemetryOptions } from './telemetry.options.js';

/** Name (and instrumentation scope) of the tracer and the meter. */
export const TELEMETRY_SCOPE = '@tiered-cache/nestjs';

/** Attribute names, `tiered_cache.*` apart from OpenTelemetry's own `error.type`. */
export const TELEMETRY_ATTRIBUTES = {
  namespace: 'tiered_cache.namespace',
  operation: 'tiered_cache.operation',
  keyPrefix: 'tiered_cache.key.prefix',
  key: 'tiered_cache.key',
  tier: 'tiered_cache.tier',
  hit: 'tiered_cache.hit',
  stale: 'tiered_cache.stale',
  coalesced: 'tiered_cache.coalesced',
  tagsCount: 'tiered_cache.tags.count',
  background: 'tiered_cache.loader.background',
  outcome: 'tiered_cache.loader.outcome',
  errorType: 'error.type',
} as const;

const A = TELEMETRY_ATTRIBUTES;

interface Instruments {
  readonly hits: Counter;
  readonly misses: Counter;
  readonly duration: Histogram;
  readonly loaderDuration: Histogram;
}

/**
 * Reports the cache's calls to OpenTelemetry through `@opentelemetry/api`: a span per `getOrSet`,
 * `get`, `set`, `delete` and `invalidateTags` (and per loader run), and counters and histograms of
 * hits, misses and durations. Nothing is recorded without an SDK registered (the API's no-op
 * providers), and a cache never instrumented registers no observer at all, so pays nothing.
 *
 * Spans are drawn when a call ends, with its start time, under the span active where it was
 * called. So a loader's own spans (its database queries) are siblings of the `getOrSet` span,
 * not children; the `tiered_cache.load` span beside it covers the loader's run.
 * @returns a function that removes the instrumentation.
 */
export function instrumentTieredCache(cache: TieredCache, options: TieredCacheTelemetryOptions = {}): () => void {
  const tracer = options.traces === false ? undefined : (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TELEMETRY_SCOPE);
  const instruments = options.metrics === false ? undefined : createInstruments(options);
  if (tracer === undefined && instruments === undefined) return () => undefined;
  const keyPrefix = options.keyPrefix === false ? undefined : (options.keyPrefix ?? defaultKeyPrefix);
  const namespace = cache.namespace;

  const observer: CacheObserver = {
    call(event) {
      if (tracer !== undefined) drawCall(tracer, event, callAttributes(event, namespace, keyPrefix, options.recordKeys === true));
      if (instruments !== undefined) countCall(instruments, event, namespace);
    },
    loader(event) {
      if (tracer !== undefined) drawLoader(tracer, event, namespace, keyPrefix, options.recordKeys === true);
      instruments?.loaderDuration.record(event.seconds, {
        [A.namespace]: namespace,
        [A.outcome]: event.ok ? 'ok' : 'error',
        [A.background]: event.background,
      });
    },
  };
  return cache.observe(observer);
}

function createInstruments(options: TieredCacheTelemetryOptions): Instruments {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(TELEMETRY_SCOPE);
  return {
    hits: meter.createCounter('tiered_cache.hits', { description: 'Reads answered by a tier (get and getOrSet)', unit: '{read}' }),
    misses: meter.createCounter('tiered_cache.misses', { description: 'Reads no tier answered fresh (get and getOrSet)', unit: '{read}' }),
    duration: meter.createHistogram('tiered_cache.operation.duration', { description: 'Duration of cache calls', unit: 's' }),
    loaderDuration: meter.createHistogram('tiered_cache.loader.duration', { description: 'Duration of loader runs', unit: 's' }),
  };
}

function callAttributes(event: CacheCallEvent, namespace: string, keyPrefix: ((key: string) => string | undefined) | undefined, recordKeys: boolean): Attributes {
  const attributes: Attributes = { [A.namespace]: namespace, [A.operation]: event.operation };
  if (event.key !== undefined) {
    const prefix = keyPrefix?.(event.key);
    if (prefix !== undefined) attributes[A.keyPrefix] = prefix;
    if (recordKeys) attributes[A.key] = event.key;
  }
  if (event.answer !== undefined) {
    attributes[A.tier] = event.answer === 'stale' ? 'miss' : event.answer;
    attributes[A.hit] = event.answer !== 'miss' && event.answer !== 'stale';
    if (event.answer === 'stale') attributes[A.stale] = true;
  }
  if (event.coalesced === true) attributes[A.coalesced] = true;
  if (event.tags !== undefined) attributes[A.tagsCount] = event.tags;
  return attributes;
}

function drawCall(tracer: Tracer, event: CacheCallEvent, attributes: Attributes): void {
  const span = tracer.startSpan(`tiered_cache.${event.operation}`, { kind: SpanKind.INTERNAL, startTime: event.startTime, attributes });
  if (event.error !== undefined) {
    const error = event.error instanceof Error ? event.error : new Error(String(event.error));
    span.recordException(error);
    span.setAttribute(A.errorType, error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end(event.startTime + event.seconds * 1_000);
}

function drawLoader(tracer: Tracer, event: LoaderEvent, namespace: string, keyPrefix: ((key: string) => string | undefined) | undefined, recordKeys: boolean): void {
  const endTime = performance.timeOrigin + performance.now();
  const attributes: Attributes = { [A.namespace]: namespace, [A.background]: event.background, [A.outcome]: event.ok ? 'ok' : 'error' };
  const prefix = keyPrefix?.(event.key);
  if (prefix !== undefined) attributes[A.keyPrefix] = prefix;
  if (recordKeys) attributes[A.key] = event.key;
  const span = tracer.startSpan('tiered_cache.load', { kind: SpanKind.INTERNAL, startTime: endTime - event.seconds * 1_000, attributes });
  if (!event.ok) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(endTime);
}

function countCall(instruments: Instruments, event: CacheCallEvent, namespace: string): void {
  const base: Attributes = { [A.namespace]: namespace, [A.operation]: event.operation };
  const answer = event.answer;
  if (answer !== undefined && event.error === undefined) {
    if (answer === 'miss' || answer === 'stale') instruments.misses.add(1, answer === 'stale' ? { ...base, [A.stale]: true } : base);
    else instruments.hits.add(1, { ...base, [A.tier]: answer });
  }
  const attributes: Attributes = answer === undefined ? { ...base } : { ...base, [A.tier]: answer === 'stale' ? 'miss' : answer };
  if (event.error !== undefined) attributes[A.errorType] = event.error instanceof Error ? event.error.name : 'Error';
  instruments.duration.record(event.seconds, attributes);
}
