import { networkInterfaces } from 'node:os';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/index.js';

/**
 * Node's default limit on a request's headers, request line included: no path parameter a request
 * can carry is longer.
 */
const MAX_PARAM_LENGTH = 16 * 1024;

/**
 * Fastify's router set to match as Express 5 does: a trailing slash and letter case are ignored
 * (`/Chats/1/` is `/chats/1`), and a path parameter is not cut off at Fastify's default of 100
 * characters, past which `GET /admin/cache/entries/<long key>` answered 404 instead of the entry.
 */
export const FASTIFY_ROUTER_OPTIONS = {
  ignoreTrailingSlash: true,
  caseSensitive: false,
  maxParamLength: MAX_PARAM_LENGTH,
} as const;

/**
 * The HTTP adapter `HTTP_ADAPTER` names, for `NestFactory.create(module, adapter)`. Fastify's own
 * body limit is the app's, so no content type it parses can hold a larger body.
 */
export function createHttpAdapter(config: Pick<AppConfig, 'httpAdapter' | 'http'>): ExpressAdapter | FastifyAdapter {
  if (config.httpAdapter === 'express') return new ExpressAdapter();
  return new FastifyAdapter({ bodyLimit: config.http.bodyLimitBytes, routerOptions: FASTIFY_ROUTER_OPTIONS });
}

/**
 * The host `app.listen()` binds. Express leaves it to Node, which takes every interface (`::`, or
 * `0.0.0.0` without IPv6); Fastify would take `localhost` only, and so be unreachable from outside
 * a container. Fastify gets the host Node would have chosen.
 */
export function listenHost(adapter: AppConfig['httpAdapter']): string | undefined {
  if (adapter === 'express') return undefined;
  return Object.values(networkInterfaces()).some((addresses) => addresses?.some((address) => address.family === 'IPv6')) ? '::' : '0.0.0.0';
}
