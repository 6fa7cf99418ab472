import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedDatabaseInUseError, lockDirectory } from './directory-lock.js';
import { openEmbeddedPostgres } from './embedded-postgres.js';

describe('lockDirectory (one process per embedded database)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pglite-lock-'));
    dirs.push(dir);
    return join(dir, 'pglite');
  };
  const exitedPid = () =>
    new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid!));
    });

  it('refuses a directory a live process holds, naming it and what to do', async () => {
    const dir = await dataDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(`${dir}.lock`, String(holder.pid));
      expect(() => lockDirectory(dir)).toThrow(EmbeddedDatabaseInUseError);
      expect(() => lockDirectory(dir)).toThrow(new RegExp(`in use by process ${holder.pid} .*Stop it first.*DATABASE_URL`));
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock whose process is gone, and releases it', async () => {
    const dir = await dataDir();
    writeFileSync(`${dir}.lock`, String(await exitedPid()));
    const lock = lockDirectory(dir);
    expect(existsSync(`${dir}.lock`)).toBe(true);
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('keeps a second opening of the same embedded database out until the first is closed', async () => {
    const dir = await dataDir();
    const first = await openEmbeddedPostgres(dir);
    try {
      await expect(openEmbeddedPostgres(dir)).rejects.toThrow(EmbeddedDatabaseInUseError);
    } finally {
      await first.close();
    }
    const second = await openEmbeddedPostgres(dir);
    await second.close();
  }, 60_000);
});
