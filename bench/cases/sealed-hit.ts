import type { TieredCacheOptions } from '../../libs/tiered-cache/src/core/options.js';
import { countingLoader, keyRange, noLoaderCalls } from '../lib/loader.js';
import { measure, sequential, wave, type BenchTask, type Measured } from '../lib/measure.js';
import { find, problemsOf, ratioTarget, throughputTable, type TargetResult } from '../lib/report.js';
import { createOurs, sampleValue } from '../lib/subjects.js';
import type { BenchCase } from './types.js';

const KEY_COUNT = 1_024;
const CONCURRENCY = [1, 64] as const;
const SIGNED: Partial<TieredCacheOptions> = { integrity: { keys: [{ id: 'bench', secret: 'a-bench-secret-of-at-least-32-bytes' }] } };
const ENCRYPTED: Partial<TieredCacheOptions> = { ...SIGNED, encryption: { keys: [{ id: 'bench', key: Buffer.alloc(32, 5) }] } };
const VARIANTS = [
  ['plain', {}],
  ['signed (HMAC-SHA-256)', SIGNED],
  ['signed + encrypted (AES-256-GCM)', ENCRYPTED],
] as const;

/** What integrity and encryption cost on a remote hit (docs/security.md), against the same cache without them. */
export const sealedHitCase: BenchCase = {
  id: '9',
  title: 'L2 and L3 hits with integrity and encryption on',
  async run({ env, settings, log }) {
    const keys = keyRange('sealed:', KEY_COUNT);
    const tables = [];
    const targets: TargetResult[] = [];
    const all: Measured[] = [];
    for (const tier of ['l2', 'l3'] as const) {
      const subjects = [];
      for (const [name, extra] of VARIANTS) {
        const namespace = `case9_${tier}_${subjects.length}`;
        const cache = await createOurs(env, namespace, { l1: false, l2: tier === 'l2', l3: tier === 'l3' }, extra);
        log(`case 9: filling ${tier} for ${name}`);
        for (let index = 0; index < KEY_COUNT; index++) await cache.set(keys[index]!, sampleValue(index));
        subjects.push({ name: `${tier} hit, ${name}`, cache, loader: countingLoader(() => sampleValue(0)) });
      }
      for (const concurrency of CONCURRENCY) {
        const run = (call: (index: number) => Promise<unknown>) => (concurrency === 1 ? sequential(1, call) : wave(concurrency, call));
        const tasks: BenchTask[] = subjects.map(({ name, cache, loader }, index) => ({
          name,
          kind: index === 0 ? 'baseline' : 'ours',
          ops: concurrency,
          concurrency,
          fn: run((call) => cache.getOrSet(keys[call % KEY_COUNT]!, loader)),
          check: noLoaderCalls(loader),
        }));
        log(`case 9: measuring ${tier} at concurrency ${concurrency}`);
        const results = await measure(tasks, settings.measure);
        all.push(...results);
        const plain = find(results, subjects[0]!.name);
        tables.push(throughputTable(`${tier.toUpperCase()} hit, concurrency ${concurrency}`, results, plain));
        for (const subject of subjects.slice(1)) {
          targets.push(ratioTarget(`${subject.name} vs plain, concurrency ${concurrency}`, '≥ 0.9× the same hit without it', find(results, subject.name), plain, 0.9));
        }
      }
    }
    return {
      id: '9',
      title: 'L2 and L3 hits with integrity and encryption on',
      setup: [
        `${KEY_COUNT} keys, each a ~0.5 kB record, read with L1 off so that every read is a remote hit: the same cache three times, plain, with \`integrity\` (an HMAC-SHA-256 checked before deserializing) and with \`integrity\` + \`encryption\` (AES-256-GCM decrypted after the check). Baseline: the plain cache in the same run.`,
      ],
      tables,
      notes: problemsOf(all),
      targets,
    };
  },
};
