import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createTestCertificates, type TestCertificates } from '../../../../test/support/tls-certificates.js';
import { InvalidOptionError } from '../core/errors.js';
import { resolveTls } from './tls.options.js';

describe('resolveTls', () => {
  let certs: TestCertificates;
  beforeAll(async () => {
    certs = await createTestCertificates();
  });
  afterAll(async () => certs.dispose());

  /** The option an InvalidOptionError names, or the error itself when it is another. */
  function optionNamed(attempt: () => unknown): string {
    try {
      attempt();
    } catch (error) {
      if (error instanceof InvalidOptionError) return error.option;
      throw error;
    }
    throw new Error('no error');
  }

  it('reads the files and verifies the server by default', () => {
    const resolved = resolveTls({ caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile }, 'redis.tls');
    expect(resolved.rejectUnauthorized).toBe(true);
    expect(resolved.ca).toEqual(readFileSync(certs.caFile));
    expect(resolved.cert).toEqual(readFileSync(certs.clientCertFile));
    expect(resolved.key).toEqual(readFileSync(certs.clientKeyFile));
    expect(resolveTls({}, 'redis.tls')).toEqual({ rejectUnauthorized: true });
  });

  it('passes inline PEM, servername, and an explicit rejectUnauthorized: false', () => {
    expect(resolveTls({ ca: certs.ca, servername: 'cache.internal', rejectUnauthorized: false }, 'redis.tls')).toEqual({
      ca: certs.ca,
      servername: 'cache.internal',
      rejectUnauthorized: false,
    });
  });

  it('names a file that does not exist, with its path', () => {
    const attempt = () => resolveTls({ caFile: '/nonexistent/ca.pem' }, 'redis.tls');
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow("Invalid option 'redis.tls.caFile': cannot read \"/nonexistent/ca.pem\": ENOENT");
    expect(optionNamed(() => resolveTls({ certFile: '/nonexistent/c.pem', keyFile: certs.clientKeyFile }, 'postgres.ssl'))).toBe('postgres.ssl.certFile');
    expect(optionNamed(() => resolveTls({ certFile: certs.clientCertFile, keyFile: '/nonexistent/k.pem' }, 'postgres.ssl'))).toBe('postgres.ssl.keyFile');
  });

  it('refuses a CA that holds no certificate (OpenSSL would skip it and every connection would fail later)', () => {
    expect(optionNamed(() => resolveTls({ caFile: certs.serverKeyFile }, 'redis.tls'))).toBe('redis.tls.caFile');
    expect(optionNamed(() => resolveTls({ ca: 'not a certificate' }, 'redis.tls'))).toBe('redis.tls.ca');
    const broken = certs.ca.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    expect(optionNamed(() => resolveTls({ ca: broken }, 'redis.tls'))).toBe('redis.tls.ca');
  });

  it('refuses a client certificate without its key, a key without its certificate, and a key of another certificate', () => {
    expect(optionNamed(() => resolveTls({ certFile: certs.clientCertFile }, 'redis.tls'))).toBe('redis.tls.key');
    expect(optionNamed(() => resolveTls({ keyFile: certs.clientKeyFile }, 'redis.tls'))).toBe('redis.tls.cert');
    expect(optionNamed(() => resolveTls({ certFile: certs.clientCertFile, keyFile: certs.serverKeyFile }, 'redis.tls'))).toBe('redis.tls.certFile');
  });

  it('refuses ambiguous or mistyped settings', () => {
    expect(optionNamed(() => resolveTls({ ca: certs.ca, caFile: certs.caFile }, 'redis.tls'))).toBe('redis.tls.caFile');
    expect(optionNamed(() => resolveTls({ rejectUnauthorized: 'false' as unknown as boolean }, 'redis.tls'))).toBe('redis.tls.rejectUnauthorized');
    expect(optionNamed(() => resolveTls({ servername: ' ' }, 'redis.tls'))).toBe('redis.tls.servername');
  });
});
