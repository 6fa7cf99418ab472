import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { HttpLimitsConfig } from '../config/index.js';
import { bodyDepthMiddleware } from './body-depth.middleware.js';

/**
 * Registers the JSON and form body parsers with explicit limits (413 above `bodyLimitBytes`), then
 * the depth check (400 above `bodyMaxDepth`). Call it before `app.init()`: Nest then keeps these
 * parsers instead of adding its defaults.
 */
export function applyBodyLimits(app: INestApplication, limits: HttpLimitsConfig): void {
  if (!isExpress(app)) throw new Error('Body limits need the Express platform');
  app.useBodyParser('json', { limit: limits.bodyLimitBytes });
  // `extended` as Nest's default parser has it; qs answers 400 itself past `depth`.
  app.useBodyParser('urlencoded', { limit: limits.bodyLimitBytes, extended: true, depth: limits.bodyMaxDepth });
  app.use(bodyDepthMiddleware(limits.bodyMaxDepth));
}

function isExpress(app: INestApplication): app is NestExpressApplication {
  return app.getHttpAdapter().getType() === 'express';
}
