import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** Another live process holds the embedded database directory. */
export class EmbeddedDatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid} (the app, or another script). ` +
        'Stop it first (PGlite allows one process per directory), or set DATABASE_URL to a PostgreSQL server.',
    );
    this.name = 'EmbeddedDatabaseInUseError';
  }
}

/** A held lock; `release()` is idempotent and also runs if the process exits without it. */
export interface DirectoryLock {
  release(): void;
}

/**
 * Takes `<dataDir>.lock` for this process. Two processes opening one PGlite directory corrupt each
 * other's view of it (every domain route then answers 500 until the directory is deleted), so the
 * second is refused. A lock whose process is gone (killed, crashed) is taken over.
 * @throws EmbeddedDatabaseInUseError when a live process holds it.
 */
export function lockDirectory(dataDir: string): DirectoryLock {
  const path = `${dataDir}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) throw new EmbeddedDatabaseInUseError(dataDir, holder);
      unlinkSync(path);
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.on('exit', release);
  return { release };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
