import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig, type PGlitePgConfig } from '@electric-sql/pglite/node-postgres';
import { lockDirectory } from './directory-lock.js';

export { EmbeddedDatabaseInUseError } from './directory-lock.js';

/** An open embedded database and the node-postgres settings that reach it. */
export interface EmbeddedPostgresHandle {
  readonly pglite: PGlite;
  readonly pgConfig: PGlitePgConfig;
  readonly dataDir: string;
  /** Closes PGlite and releases the directory for other processes. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) a PGlite database in `dir`. PGlite is one PostgreSQL backend inside
 * this process: every client must share the single `pgConfig.connection`, and only one process may
 * open a directory at a time: a second is refused with {@link EmbeddedDatabaseInUseError}.
 */
export async function openEmbeddedPostgres(dir: string): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(dir);
  await mkdir(dataDir, { recursive: true });
  const lock = lockDirectory(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir);
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    pglite,
    pgConfig: createPgConfig(pglite),
    dataDir,
    async close() {
      try {
        if (!pglite.closed) await pglite.close();
      } finally {
        lock.release();
      }
    },
  };
}
