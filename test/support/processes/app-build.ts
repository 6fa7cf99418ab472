import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/support/processes/app-build.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** The built reference app that the process tests start. */
export const APP_ENTRY = join(REPO_ROOT, 'dist/src/main.js');

/** What `npm run build` compiles (tsconfig.build.json), plus the files that steer it. */
const SOURCE_DIRS = ['src', 'libs', 'migrations', 'scripts'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const BUILD_TIMEOUT_MS = 240_000;
const LOCK_WAIT_MS = BUILD_TIMEOUT_MS + 30_000;

/**
 * Makes sure `dist/src/main.js` is built from the current sources: builds once (`npm run build`)
 * when it is missing or older than any compiled source. Jest workers running process suites at
 * the same time share one build through a lock directory, so `dist` is never written twice at once.
 * @returns how long the build took, or 0 when the build was fresh.
 */
export async function ensureAppBuilt(): Promise<number> {
  if (isFresh()) return 0;
  const lock = join(tmpdir(), `tiered-cache-build-${createHash('sha1').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`);
  await acquire(lock);
  try {
    if (isFresh()) return 0; // another worker built it while this one waited
    const started = performance.now();
    await new Promise<void>((done, fail) => {
      execFile('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) fail(new Error(`npm run build failed (${error.message}):\n${stdout}\n${stderr}`));
        else done();
      });
    });
    // Not isFresh(): a source edited while tsc ran may be newer than its output; the next run rebuilds.
    if (!existsSync(APP_ENTRY)) throw new Error(`npm run build finished but ${APP_ENTRY} is missing`);
    return Math.round(performance.now() - started);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isFresh(): boolean {
  let built: number;
  try {
    built = statSync(APP_ENTRY).mtimeMs;
  } catch {
    return false;
  }
  return newestSource() <= built;
}

function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') visit(child);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        newest = Math.max(newest, statSync(child).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS) visit(join(REPO_ROOT, dir));
  for (const file of SOURCE_FILES) newest = Math.max(newest, statSync(join(REPO_ROOT, file)).mtimeMs);
  return newest;
}

/** A lock directory (mkdir is atomic) holding the owner's pid; a dead owner's lock is taken over. */
async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!ownerAlive(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Waited ${LOCK_WAIT_MS} ms for another build (lock ${lock})`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

function ownerAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Just created, pid not written yet: count it as alive unless it stays that way.
    try {
      return Date.now() - statSync(lock).mtimeMs < 5_000;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
