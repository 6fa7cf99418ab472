#!/usr/bin/env node
/**
 * `npm run test:chaos -- [--minutes N] [--seed S] [--multi-process]`: runs the chaos suites through
 * Jest (Node 20 cannot run the TypeScript sources directly), with the budget and seed passed on
 * as CHAOS_MINUTES and CHAOS_SEED.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const env = { ...process.env };
const suites = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--minutes') env.CHAOS_MINUTES = args[++i];
  else if (arg === '--seed') env.CHAOS_SEED = args[++i];
  else if (arg === '--multi-process') suites.push('test/chaos/multi-process.e2e-spec.ts');
  else if (arg === '--in-process') suites.push('test/chaos/consistency.e2e-spec.ts');
  else {
    console.error(`unknown argument ${arg}; use --minutes N, --seed S, --in-process, --multi-process`);
    process.exit(2);
  }
}
if (suites.length === 0) suites.push('test/chaos/consistency.e2e-spec.ts');

const root = fileURLToPath(new URL('../..', import.meta.url));
const jest = ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', '--runInBand', ...suites];
const run = spawnSync(process.execPath, jest, { cwd: root, env, stdio: 'inherit' });
process.exit(run.status ?? 1);
