import type { NestExpressApplication } from '@nestjs/platform-express';
import type { HttpLimitsConfig } from '../config/index.js';
import { bodyDepthMiddleware } from './body-depth.middleware.js';

/**
 * Registers Express's JSON and form body parsers with explicit limits (413 above
 * `bodyLimitBytes`), then the depth check (400 above `bodyMaxDepth`). Before `app.init()`, Nest
 * keeps these parsers instead of adding its defaults.
 */
export function applyExpressBodyLimits(app: NestExpressApplication, limits: HttpLimitsConfig): void {
  app.useBodyParser('json', { limit: limits.bodyLimitBytes });
  // `extended` as Nest's default parser has it; qs answers 400 itself past `depth`.
  app.useBodyParser('urlencoded', { limit: limits.bodyLimitBytes, extended: true, depth: limits.bodyMaxDepth });
  app.use(bodyDepthMiddleware(limits.bodyMaxDepth));
}
