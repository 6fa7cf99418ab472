import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../redis-process.js';
import { APP_ENTRY, REPO_ROOT } from './app-build.js';
import { httpRequest } from './http.js';

export interface AppProcessOptions {
  /** Names the log file and error messages, e.g. `redis-outage-a`. */
  readonly label: string;
  /** The app's whole environment besides PORT (nothing is inherited but PATH and HOME). */
  readonly env: Readonly<Record<string, string>>;
  /** How long to wait for `/health/live`. Default 30 s. */
  readonly bootTimeoutMs?: number;
}

const LOG_DIR = join(REPO_ROOT, 'test-artifacts/processes');
const KEPT_LOG_LINES = 400;
const STOP_GRACE_MS = 5_000;

/** Every child still running, so that an exiting test worker can kill them (by pid) at the last moment. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) {
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * The built reference app (`node dist/src/main.js`) as a child process on a free port, reached
 * through 127.0.0.1.
 * Its stdout and stderr go to `test-artifacts/processes/<label>.log`, and the last lines are kept
 * for error messages. It is stopped by pid only: SIGTERM (the app's shutdown hooks run), then
 * SIGKILL if it has not exited within 5 s.
 */
export class AppProcess {
  private readonly tail: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly label: string,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly log: WriteStream,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      const ended = (code: number) => {
        this.exitCode ??= code;
        running.delete(child);
        resolve();
      };
      child.once('exit', (code, signal) => ended(code ?? (signal ? -1 : 0)));
      child.once('error', () => {
        if (child.pid === undefined) ended(-1); // never started: no 'exit' will follow
      });
    });
    // 'close' comes after the last output (which may follow 'exit'): only then is the log ended.
    child.once('close', () => this.log.end());
    this.log.on('error', () => undefined); // a log file that cannot be written never fails a test
    const capture = (chunk: Buffer) => {
      this.log.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.tail.push(line);
        if (this.tail.length > KEPT_LOG_LINES) this.tail.shift();
      }
    };
    child.stdout!.on('data', capture);
    child.stderr!.on('data', capture);
    child.on('error', (error) => capture(Buffer.from(`[test] could not run the app: ${error.message}\n`)));
  }

  /** Starts the app and resolves once `GET /health/live` answers 200. Retries on a taken port. */
  static async start(options: AppProcessOptions): Promise<AppProcess> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const app = AppProcess.spawn(options, await freePort());
      try {
        await app.waitLive(options.bootTimeoutMs ?? 30_000);
        return app;
      } catch (error) {
        lastError = error;
        await app.stop();
        if (!/EADDRINUSE/.test(app.logs())) break;
      }
    }
    throw lastError;
  }

  private static spawn(options: AppProcessOptions, port: number): AppProcess {
    installExitHook();
    mkdirSync(LOG_DIR, { recursive: true });
    const logFile = join(LOG_DIR, `${options.label}.log`);
    const child = spawn(process.execPath, [APP_ENTRY], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...options.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    return new AppProcess(options.label, port, child, createWriteStream(logFile), logFile);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Base URL on the loopback interface. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** The last captured log lines (the whole log is in {@link logFile}). */
  logs(lines = KEPT_LOG_LINES): string {
    return this.tail.slice(-lines).join('\n');
  }

  /** SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGTERM');
    const killed = setTimeout(() => this.signal('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(killed);
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(this.pid, signal);
    } catch {
      // exited in between
    }
  }

  private async waitLive(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`${this.label} exited (code ${this.exitCode}) before /health/live answered:\n${this.logs(40)}`);
      const reply = await httpRequest(this.url, { path: '/health/live', timeoutMs: 1_000 }).catch(() => undefined);
      if (reply?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`${this.label} did not answer /health/live within ${timeoutMs} ms:\n${this.logs(40)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
