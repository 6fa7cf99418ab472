import { KeyGroupUsageRecorder } from '../../libs/tiered-cache/src/policies/key-group-usage.js';
import { PolicySet } from '../../libs/tiered-cache/src/policies/policy-set.js';
import { countingLoader, keyRange, noLoaderCalls } from '../lib/loader.js';
import { measure, sequential, type BenchTask } from '../lib/measure.js';
import { find, problemsOf, ratioTarget, throughputTable } from '../lib/report.js';
import { createOurs, sampleValue } from '../lib/subjects.js';
import type { BenchCase } from './types.js';

const KEY_COUNT = 1_000;
const BATCH = 1_000;
/** Policies that match none of the measured keys: what a fleet with many policies pays on every hit. */
const OTHER_PREFIXES = 50;
const OTHER_TAGS = 20;

/** The price of runtime policies on the hot path: an L1 hit with none, with many that do not match, and with one that does. */
export const policiesHitCase: BenchCase = {
  id: '12',
  title: 'L1 hit with runtime policies',
  async run({ env, settings, log }) {
    const keys = keyRange('pol:', KEY_COUNT);
    const values = keys.map((_, index) => sampleValue(index));
    const others = [
      ...Array.from({ length: OTHER_PREFIXES }, (_, index) => ({ id: `p${index}`, match: { prefix: `other${index}:` }, ttl: '1m' })),
      ...Array.from({ length: OTHER_TAGS }, (_, index) => ({ id: `t${index}`, match: { tag: `other-tag-${index}` }, ttl: '1m' })),
    ];
    const subjects = [
      { name: 'no policies', policies: PolicySet.EMPTY },
      { name: `${OTHER_PREFIXES + OTHER_TAGS} policies, none matching`, policies: PolicySet.from(others) },
      { name: `${OTHER_PREFIXES + OTHER_TAGS} policies, one matching (ttl)`, policies: PolicySet.from([...others, { id: 'm', match: { prefix: 'pol:' }, ttl: '10m' }]) },
      { name: 'no policies, an empty call observer', policies: PolicySet.EMPTY, recorder: false },
      { name: 'no policies, suggestion recorder observing', policies: PolicySet.EMPTY, recorder: true },
    ];
    const tasks: BenchTask[] = [];
    log('case 12: filling the caches');
    for (const subject of subjects) {
      const cache = await createOurs(env, `case10-${tasks.length}`, { l1: true, l2: true });
      cache.setPolicies(subject.policies);
      if ('recorder' in subject) cache.observe(subject.recorder ? new KeyGroupUsageRecorder().observer : { call: () => undefined });
      const loader = countingLoader(() => values[0]);
      for (let index = 0; index < KEY_COUNT; index++) await cache.getOrSet(keys[index]!, () => values[index]);
      tasks.push({
        name: subject.name,
        kind: 'ours',
        ops: BATCH,
        fn: sequential(BATCH, (index) => cache.getOrSet(keys[index % KEY_COUNT]!, loader)),
        check: noLoaderCalls(loader),
      });
    }
    log(`case 12: measuring ${tasks.length} subjects`);
    const results = await measure(tasks, settings.measure);
    const none = find(results, subjects[0]!.name);
    return {
      id: '12',
      title: 'L1 hit with runtime policies',
      setup: [
        `${KEY_COUNT} keys read in turn from L1 (L1 + L2 cache), ${BATCH} sequential awaited \`getOrSet\` calls per sample, as in case 1.`,
        `The policy sets: none; ${OTHER_PREFIXES} prefix and ${OTHER_TAGS} tag policies on other keys; the same plus a prefix policy matching every key (docs/policies.md). Last, no policies and an observer of every call: one that does nothing (the first observer makes the engine time and wrap each call, as the admin module's stats history already does), then the admin module's per-key-group recorder for the suggestions.`,
      ],
      tables: [throughputTable('L1 hit with policies, sequential', results, none)],
      notes: problemsOf(results),
      targets: [
        ratioTarget('L1 hit, policies not matching', '≥ 0.8× the hit without policies', find(results, subjects[1]!.name), none, 0.8),
        ratioTarget('L1 hit, a policy matching', '≥ 0.7× the hit without policies', find(results, subjects[2]!.name), none, 0.7),
        ratioTarget('L1 hit, suggestion recorder observing', '≥ 0.8× the hit with an empty call observer', find(results, subjects[4]!.name), find(results, subjects[3]!.name), 0.8),
      ],
    };
  },
};
