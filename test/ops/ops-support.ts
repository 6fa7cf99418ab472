import { createServer, type Server, type Socket } from 'node:net';
import { Global, Injectable, Module, type CanActivate, type DynamicModule, type ExecutionContext, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { createLibraryTestApp } from '../support/app/http-adapter.js';
export { sleep } from '../support/cache-fixture.js';
export { eventually } from '../support/eventually.js';

/**
 * Provides an existing cache as `TieredCache` to every module, as `TieredCacheModule` does in an
 * app. (The Nest module is built in parallel; these tests do not depend on it.)
 */
@Global()
@Module({})
export class TestCacheModule {
  static with(cache: TieredCache): DynamicModule {
    return { module: TestCacheModule, providers: [{ provide: TieredCache, useValue: cache }], exports: [TieredCache] };
  }
}

/** Header the test auth guard reads: `sub:role`, e.g. `alice:admin`. */
export const TEST_USER_HEADER = 'x-test-user';

/**
 * Stands in for the app's own auth guard, which runs first and sets `req.user = { sub, role }`.
 * Without the header, `req.user` stays unset (the admin guard must then answer 401).
 */
@Injectable()
export class TestAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    const header = request.headers[TEST_USER_HEADER];
    if (header) {
      const [sub, role] = header.split(':');
      request.user = { sub, role };
    }
    return true;
  }
}

export const testAuthGuardProvider = { provide: APP_GUARD, useClass: TestAuthGuard };

/** Compiles and starts (on an ephemeral loopback port, on the run's HTTP adapter) an app of the given modules. */
export async function startApp(metadata: ModuleMetadata, cache: TieredCache): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [TestCacheModule.with(cache), ...(metadata.imports ?? [])],
  }).compile();
  const app = createLibraryTestApp(moduleRef, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  return app;
}

/** A TCP server that accepts connections and never answers: a hung Redis or PostgreSQL. */
export interface HungServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHungServer(): Promise<HungServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}


