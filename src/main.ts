import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { ConfigError, loadConfig } from './config/index.js';
import { createHttpAdapter, listenHost } from './http/http-adapter.factory.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // abortOnError: false, so a start-up failure reaches the catch below instead of process.abort().
  const app = await NestFactory.create(AppModule.forRoot(config), createHttpAdapter(config), { abortOnError: false });
  configureApp(app);
  const host = listenHost(config.httpAdapter);
  await (host === undefined ? app.listen(config.port) : app.listen(config.port, host));
  new Logger('Bootstrap').log(`Listening on http://localhost:${config.port} on ${config.httpAdapter} (OpenAPI at /docs)`);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else new Logger('Bootstrap').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
