import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../../src/app.module.js';
import { configureApp } from '../../../src/app.setup.js';
import { loadConfig } from '../../../src/config/index.js';
import { createHttpAdapter } from '../../../src/http/http-adapter.factory.js';
import { initForRequests, TEST_ADAPTER_ENV } from './http-adapter.js';
import { ProbeController } from './probe.controller.js';

/** A secret the tests sign with; long enough for the app's HS256 key check. */
export const TEST_JWT_SECRET = 'e2e-test-secret-0123456789abcdef0123456789';

/**
 * Boots the real app (same module, pipes and OpenAPI set-up as `main.ts`) plus the test-only
 * {@link ProbeController}, from an explicit environment: nothing is read from `process.env`. On
 * the run's HTTP adapter (`TEST_HTTP_ADAPTER`) unless `env` names `HTTP_ADAPTER`.
 */
export async function bootApp(env: Record<string, string>): Promise<INestApplication> {
  const config = loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, ...TEST_ADAPTER_ENV, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
    controllers: [ProbeController],
  }).compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), { logger: ['error', 'warn'] });
  configureApp(app);
  return initForRequests(app);
}
