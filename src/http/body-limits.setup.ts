import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HttpLimitsConfig } from '../config/index.js';
import { applyExpressBodyLimits } from './body-limits.express.js';
import { applyFastifyBodyLimits } from './body-limits.fastify.js';

/**
 * Sets the body size limit (413 above `bodyLimitBytes`) and the depth check (400 above
 * `bodyMaxDepth`) on the app's platform, Express or Fastify, with the same answers on both. Call it
 * before `app.init()`, before anything reads a body.
 */
export function applyBodyLimits(app: INestApplication, limits: HttpLimitsConfig): void {
  const platform = app.getHttpAdapter().getType();
  if (platform === 'express') applyExpressBodyLimits(app as NestExpressApplication, limits);
  else if (platform === 'fastify') applyFastifyBodyLimits(app as NestFastifyApplication, limits);
  else throw new Error(`Body limits are set up for Express and Fastify, not ${platform}`);
}
