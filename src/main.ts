import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { ConfigError, loadConfig } from './config/index.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // abortOnError: false, so a start-up failure reaches the catch below instead of process.abort().
  const app = await NestFactory.create(AppModule.forRoot(config), { abortOnError: false });
  configureApp(app);
  await app.listen(config.port);
  new Logger('Bootstrap').log(`Listening on http://localhost:${config.port} (OpenAPI at /docs)`);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else new Logger('Bootstrap').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
