import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { openEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';

/**
 * Owns the embedded PGlite database for the Nest app, and closes it last: the data source is
 * destroyed first (TypeORM would otherwise close its pool after PGlite has gone).
 */
@Injectable()
export class EmbeddedPostgresService implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private handle: EmbeddedPostgresHandle | undefined;
  private opening: Promise<EmbeddedPostgresHandle> | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Opens PGlite once; later (or concurrent) callers get the same instance. */
  async open(dir: string): Promise<EmbeddedPostgresHandle> {
    this.opening ??= openEmbeddedPostgres(dir).then((handle) => {
      this.handle = handle;
      this.logger.log(`Embedded PGlite open in ${handle.dataDir}`);
      return handle;
    });
    return this.opening;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.handle) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.handle.close();
    this.handle = undefined;
    this.opening = undefined;
  }
}
