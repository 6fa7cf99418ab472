import { describe, expect, it } from '@jest/globals';
import { loadCacheSecurity } from './cache-security.config.js';
import { ConfigError } from './config.error.js';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes';
const AES = Buffer.alloc(32, 3).toString('base64');

describe('loadCacheSecurity', () => {
  it('is off when no key is set', () => {
    expect(loadCacheSecurity({})).toEqual({ integrity: undefined, encryption: undefined });
  });

  it('reads key lists newest first, base64 padding included', () => {
    expect(loadCacheSecurity({ CACHE_INTEGRITY_KEYS: `k2=${SECRET}2, k1=${SECRET}1`, CACHE_ENCRYPTION_KEYS: `e1=${AES}`, CACHE_ACCEPT_UNSIGNED: 'true' })).toEqual({
      integrity: { keys: [{ id: 'k2', secret: `${SECRET}2` }, { id: 'k1', secret: `${SECRET}1` }], acceptUnsigned: true },
      encryption: { keys: [{ id: 'e1', key: AES }] },
    });
  });

  it.each([
    [{ CACHE_INTEGRITY_KEYS: 'k1=short' }, 'CACHE_INTEGRITY_KEYS', /secret must be at least 32 bytes/],
    [{ CACHE_INTEGRITY_KEYS: SECRET }, 'CACHE_INTEGRITY_KEYS', /item 1 must be id=value/],
    [{ CACHE_INTEGRITY_KEYS: `a=${SECRET},a=${SECRET}` }, 'CACHE_INTEGRITY_KEYS', /duplicate key id "a"/],
    [{ CACHE_INTEGRITY_KEYS: `a=${SECRET}`, CACHE_ENCRYPTION_KEYS: 'e=c2hvcnQ=' }, 'CACHE_ENCRYPTION_KEYS', /exactly 32 bytes/],
    [{ CACHE_ENCRYPTION_KEYS: `e=${AES}` }, 'CACHE_ENCRYPTION_KEYS', /needs CACHE_INTEGRITY_KEYS/],
    [{ CACHE_ACCEPT_UNSIGNED: 'true' }, 'CACHE_ACCEPT_UNSIGNED', /only applies with CACHE_INTEGRITY_KEYS/],
    [{ CACHE_INTEGRITY_KEYS: `a=${SECRET}`, CACHE_ACCEPT_UNSIGNED: 'maybe' }, 'CACHE_ACCEPT_UNSIGNED', /must be true or false/],
  ])('%j stops the app naming %s, without printing the secret', (env, variable, reason) => {
    let thrown: unknown;
    try {
      loadCacheSecurity(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
    expect((thrown as Error).message).toMatch(reason);
    expect((thrown as Error).message).not.toContain(SECRET);
  });
});
