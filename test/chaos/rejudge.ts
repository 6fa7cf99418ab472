/**
 * Judges a stored history again (after a change to the judge, or to look at one path):
 *   node --import ./test/chaos/ts-register.mjs test/chaos/rejudge.ts test-artifacts/chaos/history-<seed>.json [--only sql,delete] [--clock-uncertainty 1]
 */
import { readFileSync } from 'node:fs';
import type { HistoryData, OpKind } from './history.js';
import { judge } from './judge.js';
import { formatReport, summarize } from './report.js';

const [file, ...rest] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: rejudge.ts <history.json> [--only kinds] [--clock-uncertainty ms]');
  process.exit(2);
}
const flag = (name: string) => {
  const at = rest.indexOf(name);
  return at >= 0 ? rest[at + 1] : undefined;
};
const history = JSON.parse(readFileSync(file, 'utf8')) as HistoryData;
const only = flag('--only')?.split(',') as OpKind[] | undefined;
const violations = judge(history, { hidingKinds: only, clockUncertaintyMs: Number(flag('--clock-uncertainty') ?? 0) });
const seed = Number(/history-(\d+)\.json$/.exec(file)?.[1] ?? 0);
console.log(formatReport(seed, summarize(violations, history)));
