import { describe, expect, it } from '@jest/globals';
import { compactJson } from './admin-audit.service.js';
import { ADMIN_TAG_PATTERN } from './admin.dto.js';
import { escapeLike } from './cache-admin.service.js';
import { MemoryConfirmationStore } from './confirmations.js';

describe('escapeLike', () => {
  it('escapes the LIKE wildcards and the escape character', () => {
    expect(escapeLike('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
    expect(escapeLike('plain:key')).toBe('plain:key');
  });
});

describe('ADMIN_TAG_PATTERN', () => {
  it.each(['product:42', 'expert_sessions', 'user:alice@example.com', 'a/b.c-d=e+f#g', '_x'])('accepts %s', (tag) => {
    expect(ADMIN_TAG_PATTERN.test(tag)).toBe(true);
  });
  it.each(['', 'has space', ':leading', 'x'.repeat(201), 'semi;colon', 'new\nline', 'quote"'])('rejects %j', (tag) => {
    expect(ADMIN_TAG_PATTERN.test(tag)).toBe(false);
  });
});

describe('compactJson', () => {
  it('redacts secrets at any depth and summarises long values', () => {
    expect(JSON.parse(compactJson({ body: { token: 'abc', scope: 'all' }, authorization: 'Bearer x' }))).toEqual({
      body: { token: '[redacted]', scope: 'all' },
      authorization: '[redacted]',
    });
    expect(JSON.parse(compactJson({ big: 'x'.repeat(5_000) }))).toEqual({ truncated: true, chars: JSON.stringify({ big: 'x'.repeat(5_000) }).length });
    expect(compactJson(undefined)).toBe('{}');
  });
});

describe('MemoryConfirmationStore', () => {
  it('accepts a token once, for its action, parameters and requester only, before it expires', async () => {
    const store = new MemoryConfirmationStore();
    const { token } = await store.issue('clear', { scope: 'all' }, 'alice', 1_000);
    expect(await store.consume(token, 'clear', { scope: 'namespace' }, 'alice')).toBe(false);
    expect(await store.consume(token, 'clear', { scope: 'all' }, 'bob')).toBe(false);
    expect(await store.consume('guess', 'clear', { scope: 'all' }, 'alice')).toBe(false);
    expect(await store.consume(token, 'clear', { scope: 'all' }, 'alice')).toBe(true);
    expect(await store.consume(token, 'clear', { scope: 'all' }, 'alice')).toBe(false);
    const expired = await store.issue('clear', {}, 'alice', 0);
    expect(await store.consume(expired.token, 'clear', {}, 'alice')).toBe(false);
  });
});
