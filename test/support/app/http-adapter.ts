import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { HTTP_ADAPTERS, type HttpAdapterName } from '../../../src/config/index.js';
import { FASTIFY_ROUTER_OPTIONS } from '../../../src/http/http-adapter.factory.js';

/**
 * The platform every e2e app of this Jest run is booted on: `TEST_HTTP_ADAPTER`, `express` when
 * unset. CI runs the HTTP suites once more with `TEST_HTTP_ADAPTER=fastify`.
 */
export const TEST_HTTP_ADAPTER: HttpAdapterName = readTestAdapter(process.env.TEST_HTTP_ADAPTER);

function readTestAdapter(raw: string | undefined): HttpAdapterName {
  const name = raw?.trim().toLowerCase() || 'express';
  if (!(HTTP_ADAPTERS as readonly string[]).includes(name)) throw new Error(`TEST_HTTP_ADAPTER must be ${HTTP_ADAPTERS.join(' or ')}, got ${JSON.stringify(raw)}`);
  return name as HttpAdapterName;
}

/** The settings that make the reference app boot on {@link TEST_HTTP_ADAPTER}; a suite's own env may override them. */
export const TEST_ADAPTER_ENV: Record<string, string> = { HTTP_ADAPTER: TEST_HTTP_ADAPTER };

/**
 * An adapter for apps made of library modules alone, without the reference app's config. On
 * Fastify it has the router options docs/fastify.md asks an app to set.
 */
export function libraryTestAdapter(): ExpressAdapter | FastifyAdapter {
  return TEST_HTTP_ADAPTER === 'fastify' ? new FastifyAdapter({ routerOptions: FASTIFY_ROUTER_OPTIONS }) : new ExpressAdapter();
}

/** `moduleRef.createNestApplication` on {@link libraryTestAdapter}. */
export function createLibraryTestApp(moduleRef: TestingModule, options: NestApplicationOptions = {}): INestApplication {
  return moduleRef.createNestApplication(libraryTestAdapter(), options);
}

/**
 * `app.init()`, and on Fastify also `ready()`: until then Fastify has not built its routes, and a
 * request to `app.getHttpServer()` (as supertest sends it) would hang or miss. `listen()` does both.
 */
export async function initForRequests(app: INestApplication): Promise<INestApplication> {
  await app.init();
  const instance: unknown = app.getHttpAdapter().getInstance();
  if (app.getHttpAdapter().getType() === 'fastify') await (instance as { ready(): PromiseLike<unknown> }).ready();
  return app;
}
