import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/processes/app-build.js';

/** Where the resilience suites leave their numbers (read when updating docs/resilience.md). */
export const MEASUREMENTS_DIR = join(REPO_ROOT, 'test-artifacts/resilience');

/** Writes one named measurement to `<MEASUREMENTS_DIR>/<name>.json`, stamped with the time. */
export function recordMeasurement(name: string, value: object): void {
  mkdirSync(MEASUREMENTS_DIR, { recursive: true });
  writeFileSync(join(MEASUREMENTS_DIR, `${name}.json`), `${JSON.stringify({ ...value, measuredAt: new Date().toISOString() }, null, 2)}\n`);
}
