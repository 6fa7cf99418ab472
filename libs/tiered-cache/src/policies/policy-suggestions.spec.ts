import { describe, expect, it } from '@jest/globals';
import type { CacheCallEvent } from '../core/observer.js';
import { KeyGroupUsageRecorder } from './key-group-usage.js';
import { formatDuration, suggestPolicies } from './policy-suggestions.js';

/** Call events as the engine emits them, on a clock the test moves. */
function recorder() {
  let now = 1_000_000;
  const usage = new KeyGroupUsageRecorder({ minAgeMs: 1_000, now: () => now });
  const call = (key: string, answer: CacheCallEvent['answer'], ttlMs?: number) =>
    usage.record({ operation: 'getOrSet', key, answer, ttlMs, startTime: now, seconds: 0 });
  return { usage, call, advance: (ms: number) => (now += ms) };
}

describe('policy suggestions from measured key groups', () => {
  it('suggests caching off for a group read once', () => {
    const { usage, call, advance } = recorder();
    for (let i = 0; i < 30; i++) call(`report:${i}`, 'miss', 60_000);
    for (let i = 0; i < 5; i++) for (let r = 0; r < 3; r++) call(`user:${i}`, r === 0 ? 'miss' : 'l1', 60_000);
    advance(2_000);
    const suggestions = suggestPolicies(usage.usage(), []);
    expect(suggestions.map((s) => [s.reason, s.policy])).toEqual([['read-once', { match: { prefix: 'report:' }, disabled: true, note: 'suggested: keys read once' }]]);
    expect(suggestions[0]!.message).toContain('100% of 30 keys');
  });

  it('suggests caching off for a group invalidated more often than reused', () => {
    const { usage, call, advance } = recorder();
    for (let round = 0; round < 25; round++) {
      call('price:1', 'miss', 60_000);
      advance(100); // invalidated within its TTL, before any hit
    }
    expect(suggestPolicies(usage.usage(), []).map((s) => s.reason)).toEqual(['invalidated-before-reuse']);
  });

  it('suggests a longer TTL when entries expire long before they are read again', () => {
    const { usage, call, advance } = recorder();
    for (let round = 0; round < 25; round++) {
      for (let i = 0; i < 2; i++) call(`daily:${i}`, 'miss', 10_000);
      advance(60_000);
    }
    const [suggestion, ...rest] = suggestPolicies(usage.usage(), []);
    expect(rest).toEqual([]);
    expect(suggestion).toMatchObject({ reason: 'ttl-shorter-than-reuse', policy: { match: { prefix: 'daily:' }, ttl: '2m' } });
    expect(suggestion!.message).toContain('TTL 10s, median reuse gap 1m');
  });

  it('leaves a group alone that is reused, or already has a policy', () => {
    const { usage, call, advance } = recorder();
    for (let i = 0; i < 30; i++) call(`report:${i}`, 'miss', 60_000);
    advance(2_000);
    expect(suggestPolicies(usage.usage(), [{ id: '1', match: { prefix: 'report:' }, ttl: '1s' }])).toEqual([]);
    usage.reset();
    for (let round = 0; round < 25; round++) {
      call('hot:1', round % 5 === 0 ? 'miss' : 'l1', 60_000);
      advance(100);
    }
    expect(suggestPolicies(usage.usage(), [])).toEqual([]);
  });

  it('formats durations in the largest whole unit', () => {
    expect([formatDuration(90_000), formatDuration(300_000), formatDuration(7_200_000), formatDuration(1_500)]).toEqual(['90s', '5m', '2h', '2s']);
  });
});
