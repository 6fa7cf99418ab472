import { describe, expect, it } from '@jest/globals';
import { InvalidPolicyError } from './policy.errors.js';
import { parsePolicy } from './policy.parse.js';
import { PolicySet } from './policy-set.js';

const fieldOf = (input: unknown) => {
  try {
    parsePolicy(input);
  } catch (error) {
    if (error instanceof InvalidPolicyError) return error.field;
    throw error;
  }
  return undefined;
};

describe('parsePolicy', () => {
  it('accepts a prefix or a tag with overrides', () => {
    expect(parsePolicy({ id: '1', match: { prefix: 'user:' }, ttl: '30s', tiers: ['l1', 'l2'] })).toEqual({ id: '1', match: { prefix: 'user:' }, ttl: '30s', tiers: ['l1', 'l2'] });
    expect(parsePolicy({ id: '2', match: { tag: 'product:1' }, disabled: true, note: 'hot row' })).toEqual({ id: '2', match: { tag: 'product:1' }, disabled: true, note: 'hot row' });
  });

  it('names the field at fault', () => {
    expect(fieldOf({ id: '1', match: {}, ttl: '1s' })).toBe('match');
    expect(fieldOf({ id: '1', match: { prefix: 'a', tag: 'b' }, ttl: '1s' })).toBe('match');
    expect(fieldOf({ id: '1', match: { prefix: '' }, ttl: '1s' })).toBe('match.prefix');
    expect(fieldOf({ id: '1', match: { tag: 'a\u0001b' }, ttl: '1s' })).toBe('match.tag');
    expect(fieldOf({ id: '1', match: { prefix: 'a' }, ttl: 'soon' })).toBe('ttl');
    expect(fieldOf({ id: '1', match: { prefix: 'a' }, ttl: 0 })).toBe('ttl');
    expect(fieldOf({ id: '1', match: { prefix: 'a' }, grace: '-1s' })).toBe('grace');
    expect(fieldOf({ id: '1', match: { prefix: 'a' }, tiers: ['l1', 'l4'] })).toBe('tiers');
    expect(fieldOf({ id: '1', match: { prefix: 'a' }, tiers: [] })).toBe('tiers');
    expect(fieldOf({ id: '1', match: { prefix: 'a' }, disabled: 'yes' })).toBe('disabled');
    expect(fieldOf({ id: '1', match: { prefix: 'a' }, disabled: true, ttl: '1s' })).toBe('disabled');
    expect(fieldOf({ id: '1', match: { prefix: 'a' } })).toBe('policy');
    expect(fieldOf({ id: '1', match: { prefix: 'a' }, disabled: false })).toBe('policy');
    expect(fieldOf({ match: { prefix: 'a' }, ttl: '1s' })).toBe('id');
  });
});

describe('PolicySet', () => {
  const set = PolicySet.from([
    { id: 'short', match: { prefix: 'user:' }, ttl: '1s' },
    { id: 'long', match: { prefix: 'user:42:' }, ttl: '1h' },
    { id: 'exact', match: { prefix: 'report' }, disabled: true },
    { id: 'tag', match: { tag: 'catalog' }, tiers: ['l1'] },
    { id: 'tag2', match: { tag: 'pricing' }, grace: '1m' },
  ]);
  const idOf = (key: string, tags?: readonly string[] | ((value: unknown) => readonly string[])) => set.match(key, tags === undefined ? undefined : { tags })?.policy.id;

  it('takes the longest prefix, then the first static tag the call lists', () => {
    expect(idOf('user:7')).toBe('short');
    expect(idOf('user:42:profile')).toBe('long');
    expect(idOf('user:42:')).toBe('long');
    expect(idOf('report')).toBe('exact');
    expect(idOf('user', ['catalog'])).toBe('tag');
    expect(idOf('user:1', ['catalog'])).toBe('short');
    expect(idOf('x', ['other', 'pricing', 'catalog'])).toBe('tag2');
    expect(idOf('x', () => ['catalog'])).toBeUndefined();
    expect(idOf('x')).toBeUndefined();
    expect(PolicySet.EMPTY.match('user:1', undefined)).toBeUndefined();
  });

  it('answers the same for a key seen before, past the bound of remembered keys too', () => {
    for (let i = 0; i < 10_050; i++) expect(idOf(i % 2 === 0 ? `user:${i}` : `free:${i}`)).toBe(i % 2 === 0 ? 'short' : undefined);
    expect(idOf('user:42:x')).toBe('long');
    expect(idOf('user:42:x')).toBe('long');
    expect(idOf('free:1', ['catalog'])).toBe('tag');
  });

  it('puts its overrides over the call options, one merged object per options object', () => {
    const options = { ttl: '5m', tags: ['a'] } as const;
    const decision = set.match('user:1', undefined)!;
    expect(decision.apply(options)).toEqual({ ttl: '1s', tags: ['a'] });
    expect(decision.apply(options)).toBe(decision.apply(options));
    expect(decision.apply(undefined)).toEqual({ ttl: '1s' });
    expect(decision.apply(undefined)).toBe(decision.apply(undefined));
  });

  it('refuses two policies with one match', () => {
    expect(() => PolicySet.from([{ id: 'a', match: { prefix: 'p' }, ttl: 1 }, { id: 'b', match: { prefix: 'p' }, ttl: 2 }])).toThrow(InvalidPolicyError);
    expect(() => PolicySet.from([{ id: 'a', match: { tag: 't' }, ttl: 1 }, { id: 'b', match: { tag: 't' }, ttl: 2 }])).toThrow(/match.tag/);
  });
});
