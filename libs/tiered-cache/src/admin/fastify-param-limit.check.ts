import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MAX_ADMIN_KEY_LENGTH } from './admin.dto.js';

/**
 * The longest path parameter an accepted entry key becomes once URL-encoded: up to three UTF-8
 * bytes per UTF-16 unit (a surrogate pair is four for two), each `%XX`.
 */
export const MAX_ENCODED_ADMIN_KEY_LENGTH = MAX_ADMIN_KEY_LENGTH * 9;

/** Fastify's default `maxParamLength`. */
const FASTIFY_DEFAULT_PARAM_LENGTH = 100;

interface FastifyInitialConfig {
  readonly maxParamLength?: number;
  readonly routerOptions?: { readonly maxParamLength?: number };
}

/**
 * The longest path parameter the app's router matches: Fastify's `maxParamLength`, or undefined on
 * a platform without such a limit (Express).
 */
export function routerParamLimit(adapterHost: HttpAdapterHost): number | undefined {
  const adapter = adapterHost.httpAdapter;
  if (adapter?.getType() !== 'fastify') return undefined;
  const config = adapter.getInstance<{ initialConfig?: FastifyInitialConfig }>().initialConfig;
  return config?.routerOptions?.maxParamLength ?? config?.maxParamLength ?? FASTIFY_DEFAULT_PARAM_LENGTH;
}

/**
 * Warns at start-up when the app runs on Fastify with a `maxParamLength` too short for the entry
 * keys of `GET` and `DELETE /entries/:key`: Fastify answers 414 for a longer parameter (at its
 * default, for keys over 100 characters), before the admin API sees the request.
 */
@Injectable()
export class FastifyParamLimitCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('TieredCacheAdmin');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const limit = routerParamLimit(this.adapterHost);
    if (limit === undefined || limit >= MAX_ENCODED_ADMIN_KEY_LENGTH) return;
    this.logger.warn(
      `Fastify's maxParamLength is ${limit}: /entries/:key answers 414 for keys longer than that once URL-encoded. ` +
        `Create the FastifyAdapter with routerOptions.maxParamLength of at least ${MAX_ENCODED_ADMIN_KEY_LENGTH} (docs/fastify.md).`,
    );
  }
}
