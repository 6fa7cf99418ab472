import { performance } from 'node:perf_hooks';
import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { RedisTier } from '../../libs/tiered-cache/src/tiers/redis/redis.tier.js';
import type { BenchEnv } from '../lib/env.js';
import { cloneL3Entry, cloneRedisEntry } from '../lib/bulk.js';
import { countingLoader } from '../lib/loader.js';
import { measure, pairedRatio, type BenchTask, type SubjectKind } from '../lib/measure.js';
import { find, formatMs, formatRatio, problemsOf, type TargetResult } from '../lib/report.js';
import { BENCH_TTL_MS, createBento, createOurs } from '../lib/subjects.js';
import type { BenchCase } from './types.js';

/** Entries of each count written through the library's API; they are in L1 as well. */
const LIVE = 10;
/** Invalidations of each tag per round; a round's figure is their median. */
const PER_ROUND = 3;

const value = (id: number) => ({ id, title: `Tagged ${id}` });

function label(count: number): string {
  return count >= 1e6 ? `${count / 1e6}M` : count >= 1e3 ? `${count / 1e3}k` : String(count);
}

/** One library (configuration) in this case: how to fill, invalidate and check its entries. */
interface TagSubject {
  name: string;
  kind: SubjectKind;
  /** Writes `count` entries tagged `tag`: LIVE through the API, the rest copies. */
  populate(tag: string, count: number): Promise<void>;
  /** Whether the copy `key` reads as a hit from the shared tiers (no L1): before invalidation it must. */
  copyHits(key: string): Promise<boolean>;
  invalidate(tag: string): Promise<unknown>;
  /** After invalidation: a live entry and a copy must both miss. Returns the verdict. */
  verifyMiss(tag: string, liveKey: string, copyKey: string): Promise<string>;
}

const MISS = 'miss ✓';

async function ourSubject(env: BenchEnv, name: string, namespace: string, withL3: boolean): Promise<TagSubject> {
  const cache = await createOurs(env, namespace, { l1: true, l2: true, l3: withL3 });
  const redisTier = cache.tiers().find((tier) => tier.tier instanceof RedisTier)!.tier as RedisTier;
  // Readers without L1: they see only what the shared tiers hold.
  const readers: TieredCache[] = [await createOurs(env, namespace, { l1: false, l2: true })];
  if (withL3) readers.push(await createOurs(env, namespace, { l1: false, l3: true }));
  return {
    name,
    kind: 'ours',
    async populate(tag, count) {
      for (let index = 0; index < LIVE; index++) await cache.set(`${tag}:live:${index}`, value(index), { tags: [tag] });
      const template = cache.storageKey(`${tag}:live:0`);
      await cloneRedisEntry(env, redisTier.entryKey(template), redisTier.entryKey(`${tag}:bulk:`), count - LIVE);
      if (withL3) await cloneL3Entry(env, namespace, template, `${tag}:bulk:`, count - LIVE);
    },
    async copyHits(key) {
      for (const reader of readers) if ((await reader.get(key)) === undefined) return false;
      return true;
    },
    invalidate: (tag) => cache.invalidateTags([tag]),
    async verifyMiss(tag, liveKey, copyKey) {
      const loader = countingLoader(() => value(-1));
      await cache.getOrSet(liveKey, loader, { tags: [tag] });
      await cache.getOrSet(copyKey, loader, { tags: [tag] });
      // Other copies, read from each shared tier on its own.
      const hits = [];
      for (const [index, reader] of readers.entries()) if ((await reader.get(`${tag}:bulk:${index}`)) !== undefined) hits.push(reader.tiers()[0]!.name);
      return loader.calls === 2 && hits.length === 0 ? MISS : `**HIT** (loader ran ${loader.calls}/2${hits.length > 0 ? `, hit in ${hits.join(', ')}` : ''})`;
    },
  };
}

async function bentoSubject(env: BenchEnv): Promise<TagSubject> {
  const bento = await createBento(env, 'case6', { l1: true, l2: true });
  const reader = await createBento(env, 'case6', { l1: false, l2: true });
  const prefix = `${env.prefix}bento_case6:`;
  return {
    name: 'bentocache (L1+L2)',
    kind: 'peer',
    async populate(tag, count) {
      for (let index = 0; index < LIVE; index++) await bento.set({ key: `${tag}:live:${index}`, value: value(index), tags: [tag], ttl: BENCH_TTL_MS });
      await cloneRedisEntry(env, `${prefix}${tag}:live:0`, `${prefix}${tag}:bulk:`, count - LIVE);
    },
    copyHits: async (key) => (await reader.get({ key })) !== undefined,
    invalidate: (tag) => bento.deleteByTag({ tags: [tag] }),
    async verifyMiss(tag, liveKey, copyKey) {
      const loader = countingLoader(() => value(-1));
      await bento.getOrSet({ key: liveKey, factory: loader });
      await bento.getOrSet({ key: copyKey, factory: loader });
      const copyHit = (await reader.get({ key: `${tag}:bulk:0` })) !== undefined;
      return loader.calls === 2 && !copyHit ? MISS : `**HIT** (loader ran ${loader.calls}/2${copyHit ? ', copy hit in Redis' : ''})`;
    },
  };
}

interface Filled {
  subject: TagSubject;
  count: number;
  tag: string;
  seconds: number;
  task: string;
}

export const tagInvalidationCase: BenchCase = {
  id: '6',
  title: 'Tag invalidation at 1k … 1M tagged entries',
  async run({ env, settings, log }) {
    const counts = settings.tagCounts;
    const subjects = [
      await ourSubject(env, 'ours (L1+L2+L3)', 'case6', true),
      await ourSubject(env, 'ours (L1+L2)', 'case6_l2', false),
      await bentoSubject(env),
    ];
    const filled: Filled[] = [];
    for (const count of counts) {
      for (const subject of subjects) {
        const tag = `bench-tag-${label(count)}`;
        log(`case 6: ${label(count)} entries tagged ${tag} for ${subject.name}`);
        const started = performance.now();
        await subject.populate(tag, count);
        const copyKey = `${tag}:bulk:${count - LIVE - 1}`;
        if (!(await subject.copyHits(copyKey))) throw new Error(`case 6: ${subject.name}: the copy ${copyKey} does not read as a hit before invalidation`);
        filled.push({ subject, count, tag, seconds: (performance.now() - started) / 1000, task: `${subject.name}, ${label(count)} entries` });
      }
    }

    const first = new Map<string, number>();
    const tasks: BenchTask[] = filled.map((entry) => ({
      name: entry.task,
      kind: entry.subject.kind,
      fn: async () => {
        if (first.has(entry.task)) return entry.subject.invalidate(entry.tag);
        const started = performance.now();
        await entry.subject.invalidate(entry.tag);
        first.set(entry.task, performance.now() - started);
      },
    }));
    log(`case 6: ${settings.tagRepeats} rounds of ${PER_ROUND} invalidations per tag`);
    const results = await measure(tasks, { rounds: settings.tagRepeats, time: 0, warmupTime: 0, iterations: PER_ROUND, warmup: false, gc: false });

    const verdicts = new Map<string, string>();
    for (const entry of filled) {
      verdicts.set(entry.task, await entry.subject.verifyMiss(entry.tag, `${entry.tag}:live:0`, `${entry.tag}:bulk:${entry.count - LIVE - 1}`));
    }

    const smallest = label(counts[0]!);
    const largest = label(counts[counts.length - 1]!);
    const table = {
      title: `Tag invalidation, ${settings.tagRepeats * PER_ROUND} invalidations per tag, interleaved`,
      columns: ['Subject', 'Tagged entries', 'Populate', 'First invalidation', 'Median', 'Worst round', `Time ÷ ${smallest}'s`, 'Read afterwards'],
      rows: [...filled].sort((a, b) => subjects.indexOf(a.subject) - subjects.indexOf(b.subject) || a.count - b.count).map((entry) => {
        const result = find(results, entry.task);
        const base = find(results, `${entry.subject.name}, ${smallest} entries`);
        return [
          entry.subject.name,
          label(entry.count),
          `${entry.seconds.toFixed(1)} s`,
          formatMs(first.get(entry.task)),
          formatMs(result.p50Ms),
          formatMs(Math.max(...result.perRound.map((opsPerSec) => 1000 / opsPerSec))),
          formatRatio(pairedRatio(base, result)),
          verdicts.get(entry.task)!,
        ];
      }),
    };
    const targets: TargetResult[] = subjects
      .filter((subject) => subject.kind === 'ours')
      .map((subject) => {
        const base = find(results, `${subject.name}, ${smallest} entries`);
        const top = find(results, `${subject.name}, ${largest} entries`);
        const ratio = pairedRatio(base, top);
        const missed = filled.some((entry) => entry.subject === subject && verdicts.get(entry.task) !== MISS);
        return {
          name: `Tag invalidation flat, ${subject.name}`,
          goal: `time at ${largest} entries within 2× of the time at ${smallest}`,
          measured: `${formatRatio(ratio)} (median ${formatMs(top.p50Ms)} at ${largest} vs ${formatMs(base.p50Ms)} at ${smallest})${missed ? '; a read after invalidation HIT' : ''}`,
          met: ratio <= 2 && !missed,
        };
      });
    return {
      id: '6',
      title: `Tag invalidation at ${counts.map(label).join(', ')} tagged entries`,
      setup: [
        `For each count, one tag carried by that many entries: ${LIVE} written through the library's API (so they are in L1 too), the rest byte-identical copies of one of them made server-side (a Lua script in Redis, \`INSERT ... SELECT generate_series\` in PostgreSQL). Before timing, a copy is read through a cache without L1 and must hit, which shows the copies are valid entries.`,
        'Ours with L1 + L2 + L3 (entries in Redis and PostgreSQL; the invalidation stamps the tag in both and publishes on the bus) and with L1 + L2 (the peer\'s tiers): `invalidateTags([tag])`. BentoCache: memory L1 + Redis L2 + bus, entries in Redis, `deleteByTag({ tags: [tag] })`. cache-manager has no tags.',
        `Each tag is invalidated ${PER_ROUND} times per round in ${settings.tagRepeats} rounds that interleave every subject and count. "First invalidation" is the very first (the one that invalidates the entries); "Median" is the median over rounds of each round's median, "Worst round" the slowest round's; "Time ÷ ${smallest}'s" is the median over rounds of the ratio to the same subject's ${smallest} tag in that round. Afterwards a live entry (in L1) and copies (in each shared tier) must all miss: the loader runs.`,
      ],
      tables: [table],
      notes: problemsOf(results),
      targets,
    };
  },
};
