import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig, type PGlitePgConfig } from '@electric-sql/pglite/node-postgres';

/** An open embedded database and the node-postgres settings that reach it. */
export interface EmbeddedPostgresHandle {
  readonly pglite: PGlite;
  readonly pgConfig: PGlitePgConfig;
  readonly dataDir: string;
}

/**
 * Opens (creating if needed) a PGlite database in `dir`. PGlite is one PostgreSQL backend inside
 * this process: every client must share the single `pgConfig.connection`, and only one process may
 * open a directory at a time.
 */
export async function openEmbeddedPostgres(dir: string): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(dir);
  await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  return { pglite, pgConfig: createPgConfig(pglite), dataDir };
}
