import { ConfigError } from './config.error.js';
import { type Env } from './env-values.js';

/** The HTTP platforms the app runs on; both serve the same routes with the same answers. */
export const HTTP_ADAPTERS = ['express', 'fastify'] as const;

export type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];

/**
 * Reads `HTTP_ADAPTER`: `express` (the default) or `fastify`, in any letter case.
 * @throws ConfigError naming `HTTP_ADAPTER` for any other value.
 */
export function loadHttpAdapter(env: Env): HttpAdapterName {
  const raw = env.HTTP_ADAPTER?.trim();
  if (raw === undefined || raw === '') return 'express';
  const name = raw.toLowerCase();
  if (!(HTTP_ADAPTERS as readonly string[]).includes(name)) {
    throw new ConfigError('HTTP_ADAPTER', `must be ${HTTP_ADAPTERS.join(' or ')}, got ${JSON.stringify(raw)}`);
  }
  return name as HttpAdapterName;
}
