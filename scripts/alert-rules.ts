import { readFileSync, writeFileSync } from 'node:fs';
import { renderPrometheusRules } from '@tiered-cache/nestjs/admin';

const RULES_FILE = 'deploy/prometheus/tiered-cache.rules.yml';

/**
 * `npm run alerts:rules`: writes the Prometheus rules file from the TypeScript definition.
 * `-- --check` only compares, exiting 1 when the committed file is out of date.
 */
function main(): void {
  const rendered = renderPrometheusRules();
  if (process.argv.includes('--check')) {
    if (readFileSync(RULES_FILE, 'utf8') !== rendered) {
      console.error(`${RULES_FILE} is out of date: run npm run alerts:rules`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(RULES_FILE, rendered);
  console.log(`wrote ${RULES_FILE}`);
}

main();
