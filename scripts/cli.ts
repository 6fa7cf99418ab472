import { ConfigError } from '../src/config/config.error.js';

/** A wrong command line: reported with the usage text. */
export class UsageError extends Error {}

/**
 * Runs a script's `main`, printing what went wrong without a stack trace for the errors a user
 * causes (a bad flag, a bad environment variable), and setting a failing exit code.
 */
export function runCli(main: () => Promise<void>, usage: string): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n${usage}`);
    else if (error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
