import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from './config/index.js';
import { applyBodyLimits } from './http/body-limits.setup.js';

/** Name of the bearer security scheme in the OpenAPI document. */
export const BEARER_SCHEME = 'bearer';

/**
 * Everything `main.ts` applies to the app besides listening, shared with the e2e tests so they
 * test the same pipes and documents as production.
 */
export function configureApp(app: INestApplication): void {
  // Before anything reads a body: oversized bodies get 413, too deeply nested ones 400.
  applyBodyLimits(app, app.get<AppConfig>(APP_CONFIG).http);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // Errors list every failing field by name ("limit must not be greater than 100").
      stopAtFirstError: false,
    }),
  );
  // SIGTERM/SIGINT run the shutdown hooks: caches flush, the database and PGlite close cleanly.
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

/** The OpenAPI document: bearer auth required everywhere except `@Public()` operations. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tiered Cache reference API')
    .setDescription('Reference backend of the tiered-cache library. Get a token with `npm run token -- --sub alice --role admin`.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      if (isOperation(operation) && isNoRequirement(operation.security)) operation.security = [];
    }
  }
  return document;
}

function isOperation(value: unknown): value is { security?: unknown } {
  return typeof value === 'object' && value !== null && 'responses' in value;
}

/** `[{}]`, what `@Public()` leaves: shown as `[]`, which plainly says "no auth". */
function isNoRequirement(security: unknown): boolean {
  return Array.isArray(security) && security.length === 1 && Object.keys(security[0] as object).length === 0;
}
