/**
 * Case 8's in-process part: what an interceptor costs per cache hit, without HTTP. Over HTTP every
 * cache at the interceptor position runs at the framework's limit, and the round-to-round noise is
 * larger than the differences between them; called directly, the interceptors' own work shows.
 */
import { CACHE_MANAGER, CacheInterceptor } from '@nestjs/cache-manager';
import type { INestApplication, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { lastValueFrom, of, type Observable } from 'rxjs';
import { CacheResponseInterceptor, TieredCache } from '@tiered-cache/nestjs';
import { CacheResponseController, MemoryRedisInterceptorController, memoryRedisInterceptor } from './http-bench.module.js';
import { measure, sequential, type BenchTask, type MeasureOptions, type Measured } from './measure.js';

/** Calls per timed sample: one hit is a few microseconds. */
const BATCH = 200;

type Handler = (...args: never[]) => unknown;
type HitCaller = (() => Promise<unknown>) & { handlerRuns: number };

/** `@CacheResponse` and `CacheInterceptor` (memory + Redis) answering hits for their bench routes. */
export async function measureInterceptorHits(app: INestApplication, body: unknown, options: MeasureOptions): Promise<Measured[]> {
  const ours = new CacheResponseInterceptor(app.get(TieredCache), app.get(Reflector), app.get(HttpAdapterHost));
  const theirs = new CacheInterceptor(app.select(memoryRedisInterceptor.module!).get(CACHE_MANAGER, { strict: false }), app.get(Reflector));
  // CacheInterceptor takes the adapter host by property injection.
  Object.assign(theirs, { httpAdapterHost: app.get(HttpAdapterHost) });
  const oursHit = hitCaller(ours, CacheResponseController, CacheResponseController.prototype.get, '/bench/in-process/ours', body);
  const theirsHit = hitCaller(theirs, MemoryRedisInterceptorController, MemoryRedisInterceptorController.prototype.get, '/bench/in-process/theirs', body);
  const handlerRuns = (caller: HitCaller) => () => (caller.handlerRuns > 1 ? `the handler ran ${caller.handlerRuns - 1} times while hits were measured` : undefined);
  await oursHit(); // the first call of each is the miss that fills the entry
  await theirsHit();
  await new Promise((resolve) => setTimeout(resolve, 50)); // CacheInterceptor stores after answering
  const tasks: BenchTask[] = [
    { name: 'ours: `CacheResponseInterceptor` hit', kind: 'ours', ops: BATCH, fn: sequential(BATCH, oursHit), check: handlerRuns(oursHit) },
    { name: '`CacheInterceptor` hit, memory + Redis', kind: 'peer', ops: BATCH, fn: sequential(BATCH, theirsHit), check: handlerRuns(theirsHit) },
  ];
  return measure(tasks, options);
}

/**
 * One interceptor call as Nest makes it for `GET path`: a real `ExecutionContextHost` of the
 * route's controller and handler, a minimal request and response, and a handler that returns `body`.
 */
function hitCaller(interceptor: NestInterceptor, controller: new (...args: never[]) => unknown, handler: Handler, path: string, body: unknown): HitCaller {
  const response = { set: () => undefined, setHeader: () => undefined };
  const next = {
    handle: () => {
      caller.handlerRuns++;
      return of(body);
    },
  };
  const caller = Object.assign(
    async () => {
      const request = { method: 'GET', url: path, originalUrl: path, headers: {} };
      const context = new ExecutionContextHost([request, response, undefined], controller, handler);
      context.setType('http');
      const result = (await interceptor.intercept(context, next)) as Observable<unknown>;
      return lastValueFrom(result);
    },
    { handlerRuns: 0 },
  );
  return caller;
}
