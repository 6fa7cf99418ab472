import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderPrometheusRules } from './alert-rules.prometheus.js';

const DIR = resolve(process.cwd(), 'deploy/prometheus');
const RULES = resolve(DIR, 'tiered-cache.rules.yml');
const TESTS = resolve(DIR, 'tiered-cache.rules.test.yml');

function promtool(...args: string[]): string {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    // Failing, not skipping: a skipped check would let a broken rules file through unnoticed.
    throw new Error("promtool is not installed: install Debian's `prometheus` package (apt-get install -y prometheus); .ci/run does this");
  }
  return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('deploy/prometheus/tiered-cache.rules.yml', () => {
  it('is what the TypeScript definition generates (run `npm run alerts:rules` after changing it)', () => {
    expect(readFileSync(RULES, 'utf8')).toBe(renderPrometheusRules());
  });

  it('passes promtool check rules', () => {
    expect(promtool('check', 'rules', RULES)).toContain('SUCCESS: 8 rules found');
  });

  it('passes its promtool unit tests', () => {
    expect(promtool('test', 'rules', TESTS)).toContain('SUCCESS');
  });
});
