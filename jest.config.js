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
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^@app/tiered-cache$': '<rootDir>/libs/tiered-cache/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/test/setup/require-services.ts',
  maxWorkers: 2,
  testTimeout: 30000,
};
