import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestRedis, createTestSchema, type TestRedis, type TestSchema } from '../support/isolation.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The version of a dependency the repository has installed, so that npm finds it in its cache. */
const installed = (name: string): string => `${name}@${JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version}`;

/** npm install into `dir`, quietly, from the cache when it can. */
async function npmInstall(dir: string, specs: readonly string[]): Promise<void> {
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...specs], { cwd: dir, maxBuffer: 16 << 20 });
}

/**
 * The library as a user gets it: `npm pack`, installed from the tarball into apps made here, outside
 * this repository. A Nest app (TypeScript, compiled against the package's declarations) uses
 * `@Cached` and `@InvalidateTags` on real Redis and PostgreSQL; a plain Node script uses the engine
 * with neither Nest nor pg installed.
 */
describe('the packed library, installed into apps of its users', () => {
  let scratch: string;
  let tarball: string;
  let redis: TestRedis;
  let db: TestSchema;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'tiered-cache-package-'));
    redis = createTestRedis('package');
    db = await createTestSchema('package', { withCacheTables: false });
    const { stdout } = await run('npm', ['pack', '-w', '@tiered-cache/nestjs', '--pack-destination', scratch, '--json', '--loglevel=error'], { cwd: ROOT, maxBuffer: 16 << 20 });
    tarball = join(scratch, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
  }, 180_000);
  afterAll(async () => {
    await redis?.drop();
    await db?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('packs the build, the declarations and the dashboard assets, not the sources or the specs', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/engine.js', 'package/dist/dashboard/public/index.html']));
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((file) => /spec/.test(file))).toEqual([]);
    // The one testing module packed is the tier conformance suite, exported for third-party tiers (docs/drivers.md).
    expect(files.filter((file) => /testing\//.test(file) && !file.startsWith('package/dist/tiers/testing/tier-conformance.'))).toEqual([]);
  });

  it('runs @Cached and @InvalidateTags in a Nest app compiled against the package, on Redis and PostgreSQL', async () => {
    const app = join(scratch, 'nest-app');
    await mkdir(join(app, 'src'), { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'nest-app', private: true, type: 'module' }));
    await npmInstall(app, [tarball, ...['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs', 'ioredis', 'pg'].map(installed)]);
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: true, types: [], outDir: 'dist', rootDir: 'src' },
        include: ['src'],
      }),
    );
    await writeFile(join(app, 'src/settings.ts'), `export const settings = ${JSON.stringify({ redisUrl: TEST_REDIS_URL, keyPrefix: redis.prefix, databaseUrl: TEST_DATABASE_URL, schema: db.schema })};\n`);
    await writeFile(
      join(app, 'src/main.ts'),
      `import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cached, InvalidateTags, TieredCacheModule } from '@tiered-cache/nestjs';
import { settings } from './settings.js';

let loads = 0;

@Injectable()
class Products {
  @Cached({ ttl: '1m', tags: (args: [number]) => ['product:' + args[0]] })
  async find(id: number): Promise<{ id: number; load: number }> {
    loads++;
    return { id, load: loads };
  }

  @InvalidateTags((args: [number]) => ['product:' + args[0]])
  async rename(_id: number): Promise<void> {}
}

@Module({
  imports: [
    TieredCacheModule.forRoot({
      redis: { url: settings.redisUrl, keyPrefix: settings.keyPrefix },
      postgres: { connectionString: settings.databaseUrl, schema: settings.schema, createTables: true },
    }),
  ],
  providers: [Products],
})
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const products = app.get(Products);
const first = await products.find(1);
const cached = await products.find(1);
await products.rename(1);
const afterInvalidation = await products.find(1);
await app.close();
console.log(JSON.stringify({ first, cached, afterInvalidation, loads }));
`,
    );
    await run(process.execPath, [TSC, '-p', app]);
    const { stdout } = await run(process.execPath, [join(app, 'dist/main.js')], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ first: { id: 1, load: 1 }, cached: { id: 1, load: 1 }, afterInvalidation: { id: 1, load: 2 }, loads: 2 });
    // The entries went to the real tiers: Redis under the test's prefix, PostgreSQL in its schema (tables created by the package).
    expect((await redis.client.keys(`${redis.prefix}e:*`)).length).toBeGreaterThan(0);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".cache_entries WHERE expires_at > now()`);
    expect(rows[0].n).toBeGreaterThan(0);
  }, 180_000);

  it('gives a plain Node script the engine without Nest, and names the package a configured tier lacks', async () => {
    const script = join(scratch, 'node-script');
    await mkdir(script, { recursive: true });
    await writeFile(join(script, 'package.json'), JSON.stringify({ name: 'node-script', private: true, type: 'module' }));
    await npmInstall(script, [tarball, installed('ioredis')]);
    const modules = await readdir(join(script, 'node_modules'));
    expect(modules).not.toContain('@nestjs');
    expect(modules).not.toContain('pg');
    await writeFile(
      join(script, 'main.mjs'),
      `import { MissingPeerError, TieredCache } from '@tiered-cache/nestjs/core';
const cache = new TieredCache({ redis: { url: ${JSON.stringify(TEST_REDIS_URL)}, keyPrefix: ${JSON.stringify(`${redis.prefix}script:`)} } });
await cache.ready(5000);
let loads = 0;
const load = async () => ++loads;
const values = [await cache.getOrSet('k', load), await cache.getOrSet('k', load)];
await cache.close();
let missing;
try {
  new TieredCache({ postgres: { connectionString: 'postgres://127.0.0.1/none' } });
} catch (error) {
  missing = error instanceof MissingPeerError ? error.message : 'other: ' + error;
}
let nest;
try {
  await import('@tiered-cache/nestjs');
  nest = 'loaded';
} catch (error) {
  nest = error.code;
}
console.log(JSON.stringify({ values, loads, missing, nest }));
`,
    );
    const { stdout } = await run(process.execPath, [join(script, 'main.mjs')], { cwd: script });
    expect(JSON.parse(stdout)).toEqual({
      values: [1, 1],
      loads: 1,
      missing: "The postgres option (L3) needs the 'pg' package, which is not installed: npm install pg",
      nest: 'ERR_MODULE_NOT_FOUND',
    });
  }, 180_000);
});
