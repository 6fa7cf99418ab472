import { describe, expect, it } from '@jest/globals';
import { decodeEnvelope, encodeEnvelope, type BusMessage } from './bus-message.js';

const wrap = (message: unknown) => JSON.stringify({ origin: 'other', sentAt: 1, message });

describe('decodeEnvelope', () => {
  it.each<BusMessage>([
    { kind: 'tags', tags: ['a', 'b'], stamp: 42 },
    { kind: 'delete', namespace: 'default', keys: ['k1', 'k2'] },
    { kind: 'set', namespace: 'default', keys: ['k1'] },
    { kind: 'clear', namespace: 'default' },
  ])('accepts a well-formed %p message', (message) => {
    const raw = encodeEnvelope({ origin: 'other', sentAt: 1, message });
    expect(decodeEnvelope(raw)?.message).toEqual(message);
  });

  it.each([
    ['a missing key list', { kind: 'delete', namespace: 'default' }],
    ['a key list that is a string', { kind: 'delete', namespace: 'default', keys: 'a' }],
    ['a key that is not a string', { kind: 'set', namespace: 'default', keys: ['a', 1] }],
    ['a missing namespace', { kind: 'delete', keys: ['a'] }],
    ['a namespace that is not a string', { kind: 'clear', namespace: 7 }],
    ['tags that are not an array', { kind: 'tags', tags: 'a', stamp: 1 }],
    ['a tag that is not a string', { kind: 'tags', tags: ['a', null], stamp: 1 }],
    ['a stamp that is a string', { kind: 'tags', tags: ['a'], stamp: '1' }],
    ['a missing stamp', { kind: 'tags', tags: ['a'] }],
    ['an unknown kind', { kind: 'upsert', namespace: 'default', keys: ['a'] }],
    ['no message', undefined],
  ])('rejects %s', (_label, message) => {
    expect(decodeEnvelope(wrap(message))).toBeUndefined();
  });

  it('rejects a non-finite stamp and an ill-typed envelope', () => {
    // JSON has no Infinity; 1e999 parses to it.
    expect(decodeEnvelope('{"origin":"x","sentAt":1,"message":{"kind":"tags","tags":["a"],"stamp":1e999}}')).toBeUndefined();
    expect(decodeEnvelope(JSON.stringify({ origin: 1, sentAt: 1, message: { kind: 'clear', namespace: 'd' } }))).toBeUndefined();
    expect(decodeEnvelope(JSON.stringify({ origin: 'x', sentAt: 'now', message: { kind: 'clear', namespace: 'd' } }))).toBeUndefined();
    expect(decodeEnvelope('not json')).toBeUndefined();
    expect(decodeEnvelope('null')).toBeUndefined();
  });
});
