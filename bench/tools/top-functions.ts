/**
 * `node dist/bench/bench/tools/top-functions.js <file.cpuprofile> [count]`: the functions with the
 * most self time in a V8 CPU profile (`node --cpu-prof`), as a share of the profile.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, countArg = '30'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: top-functions <file.cpuprofile> [count]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTime = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  total += delta;
  const frame = nodes.get(id)!.callFrame;
  const where = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\/bench\//, '').replace(/^file:\/\//, '');
  const name = `${frame.functionName || '(anonymous)'} ${where ? `${where}:${frame.lineNumber + 1}` : ''}`.trim();
  selfTime.set(name, (selfTime.get(name) ?? 0) + delta);
});
const top = [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg));
for (const [name, time] of top) process.stdout.write(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${name}\n`);
