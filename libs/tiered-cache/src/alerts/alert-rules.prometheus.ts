import { ALERT_RULES, type AlertRule } from './alert-rules.js';
import { DEFAULT_ALERT_THRESHOLDS, promDuration, type AlertThresholds } from './alert-thresholds.js';

/** Name of the rule group in the generated file. */
export const PROMETHEUS_RULE_GROUP = 'tiered-cache';

/**
 * The Prometheus alerting rules file for {@link ALERT_RULES} with `thresholds` (the defaults by
 * default: that is the committed `deploy/prometheus/tiered-cache.rules.yml`). Written by hand, not
 * through a YAML library: the output is small, fixed in shape, and must be byte-stable so a spec can
 * compare it with the committed file.
 */
export function renderPrometheusRules(thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS, rules: readonly AlertRule[] = ALERT_RULES): string {
  const lines = [
    '# Generated from libs/tiered-cache/src/alerts/alert-rules.ts by `npm run alerts:rules`. Do not edit:',
    '# change the TypeScript definition and regenerate (a spec fails while this file differs).',
    'groups:',
    `  - name: ${PROMETHEUS_RULE_GROUP}`,
    '    rules:',
  ];
  for (const rule of rules) {
    lines.push(`      - alert: ${rule.name}`);
    lines.push('        expr: |-');
    for (const exprLine of rule.expr(thresholds).split('\n')) lines.push(`          ${exprLine}`);
    lines.push(`        for: ${promDuration(rule.forDuration(thresholds))}`);
    lines.push('        labels:');
    lines.push(`          severity: ${rule.severity}`);
    lines.push('        annotations:');
    lines.push(`          summary: ${JSON.stringify(rule.summary)}`);
    lines.push(`          settings: ${JSON.stringify(rule.settings.join(', '))}`);
  }
  return `${lines.join('\n')}\n`;
}
