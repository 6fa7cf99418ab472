#!/usr/bin/env node
/**
 * Adds package-lock.json entries for optional dependencies the lock lacks, so `npm ci` accepts it.
 *
 * Why: the npm registry this workplace reaches serves only this platform's builds of native
 * packages (`@swc/core-darwin-arm64` & co. answer 404). npm then cannot record the other platforms'
 * optional binaries when it writes the lock, and `npm ci` (npm 11) refuses such a lock with
 * "Missing: @swc/core-darwin-arm64@ from lock file". Each added entry names only the exact version
 * the parent asks for and is marked optional: `npm ci` skips it on platforms it does not fit (or
 * fails to fetch it, which is allowed for optional dependencies), and every real entry of the lock
 * is untouched, so `npm ci` still pins and verifies everything it installs.
 *
 * Usage: `node scripts/lock-optional-placeholders.mjs [path/to/package-lock.json]`. Idempotent.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages ?? {};
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:[-+][\w.-]+)?$/;

/** Where npm would find `name` from the package at `from`: its own node_modules, then each ancestor's. */
function resolves(from, name) {
  let dir = from;
  for (;;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

const added = [];
for (const [path, entry] of Object.entries({ ...packages })) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolves(path, name) || !EXACT_VERSION.test(spec)) continue;
    const at = packages[`node_modules/${name}`] ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    packages[at] = { version: spec, ...(entry.dev ? { dev: true } : {}), optional: true };
    added.push(`${name}@${spec}`);
  }
}

if (added.length > 0) {
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`${file}: added ${added.length} optional placeholder entries: ${added.join(', ')}`);
} else {
  console.log(`${file}: every optional dependency has an entry`);
}
