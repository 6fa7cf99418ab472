/**
 * Jest runs in ESM mode (Nest 12 is ESM-only). SWC strips types; `npm run build` type-checks.
 * Every suite talks to the real PostgreSQL and Redis named by DATABASE_URL / REDIS_URL.
 * @type {import('jest').Config}
 */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/libs', '<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swc],
    // @fastify/static (Swagger UI's assets on Fastify) require()s content-disposition 3, which is
    // ESM only: Node 20.19 loads it, Jest's CommonJS loader does not ("Must use import to load ES
    // Module"). Compiled to CommonJS for Jest alone.
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { ...swc, jsc: { ...swc.jsc, parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(.+/node_modules/)?content-disposition/)'],
  moduleNameMapper: {
    '^@tiered-cache/nestjs$': '<rootDir>/libs/tiered-cache/src/index.ts',
    '^@tiered-cache/nestjs/core$': '<rootDir>/libs/tiered-cache/src/engine.ts',
    '^@tiered-cache/nestjs/keyv$': '<rootDir>/libs/tiered-cache/src/keyv.ts',
    '^@tiered-cache/nestjs/telemetry$': '<rootDir>/libs/tiered-cache/src/telemetry/index.ts',
    '^@tiered-cache/nestjs/health$': '<rootDir>/libs/tiered-cache/src/health/index.ts',
    '^@tiered-cache/nestjs/admin$': '<rootDir>/libs/tiered-cache/src/admin/index.ts',
    '^@tiered-cache/nestjs/metrics$': '<rootDir>/libs/tiered-cache/src/metrics/index.ts',
    '^@tiered-cache/nestjs/dashboard$': '<rootDir>/libs/tiered-cache/src/dashboard/index.ts',
    '^@tiered-cache/nestjs/maintenance$': '<rootDir>/libs/tiered-cache/src/maintenance/index.ts',
    '^@tiered-cache/nestjs/testing$': '<rootDir>/libs/tiered-cache/src/testing.ts',
    '^@tiered-cache/nestjs/write-behind$': '<rootDir>/libs/tiered-cache/src/write-behind/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/test/setup/require-services.ts',
  maxWorkers: 2,
  testTimeout: 30000,
};
