import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version in this package's package.json, read once. The file sits two levels up both from
 * the sources (`src/admin/`) and from the build (`dist/admin/`), and is in the published files.
 * `unknown` if it cannot be read, since a heartbeat without a version beats no heartbeat.
 */
export function libraryVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cached = typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
