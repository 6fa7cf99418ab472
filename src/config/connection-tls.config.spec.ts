import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestCertificates, type TestCertificates } from '../../test/support/tls-certificates.js';
import { ConfigError } from './config.error.js';
import { loadConfig } from './config.loader.js';
import { summarizeConfig } from './config.summary.js';

describe('TLS settings of the Redis and PostgreSQL connections', () => {
  let certs: TestCertificates;
  beforeAll(async () => {
    certs = await createTestCertificates();
  });
  afterAll(async () => certs.dispose());

  const REDIS_URL = 'rediss://cache.internal:6380';
  const DATABASE_URL = 'postgres://app@db.internal:5432/app';

  it('reads every variable into the options the library takes', () => {
    const config = loadConfig({
      REDIS_URL,
      REDIS_TLS_CA: certs.caFile,
      REDIS_TLS_CERT: certs.clientCertFile,
      REDIS_TLS_KEY: certs.clientKeyFile,
      REDIS_TLS_SERVERNAME: 'cache.example.com',
      REDIS_TLS_REJECT_UNAUTHORIZED: 'true',
      DATABASE_URL,
      DATABASE_SSL_CA: certs.caFile,
      DATABASE_SSL_CERT: certs.clientCertFile,
      DATABASE_SSL_KEY: certs.clientKeyFile,
      DATABASE_SSL_REJECT_UNAUTHORIZED: 'false',
    });
    expect(config.redisTls).toEqual({
      caFile: certs.caFile,
      certFile: certs.clientCertFile,
      keyFile: certs.clientKeyFile,
      servername: 'cache.example.com',
      rejectUnauthorized: true,
    });
    expect(config.database.tls).toEqual({ caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile, rejectUnauthorized: false });
  });

  it('has none when nothing is set, also with rediss:// and sslmode in the urls', () => {
    const config = loadConfig({ REDIS_URL, DATABASE_URL: `${DATABASE_URL}?sslmode=verify-full`, REDIS_TLS_CA: ' ' });
    expect(config.redisTls).toBeUndefined();
    expect(config.database.tls).toBeUndefined();
  });

  it.each([
    ['REDIS_TLS_CA', { REDIS_URL, REDIS_TLS_CA: '/nonexistent/ca.pem' }, 'cannot read "/nonexistent/ca.pem": ENOENT'],
    ['REDIS_TLS_CA', { REDIS_URL, REDIS_TLS_CA: 'KEY' }, 'holds no PEM certificate'],
    ['REDIS_TLS_KEY', { REDIS_URL, REDIS_TLS_CERT: 'CLIENT_CERT' }, 'is required with a client certificate (REDIS_TLS_CERT)'],
    ['REDIS_TLS_CERT', { REDIS_URL, REDIS_TLS_KEY: 'KEY' }, 'is required with a client key (REDIS_TLS_KEY)'],
    ['REDIS_TLS_CERT', { REDIS_URL, REDIS_TLS_CERT: 'CLIENT_CERT', REDIS_TLS_KEY: 'KEY' }, 'key values mismatch'],
    ['REDIS_TLS_CA', { REDIS_URL: 'redis://cache:6379', REDIS_TLS_CA: 'CA' }, 'needs a rediss:// REDIS_URL'],
    ['REDIS_TLS_SERVERNAME', { REDIS_TLS_SERVERNAME: 'cache.example.com' }, 'needs REDIS_URL'],
    ['REDIS_TLS_REJECT_UNAUTHORIZED', { REDIS_URL, REDIS_TLS_REJECT_UNAUTHORIZED: 'maybe' }, 'must be true or false'],
    ['DATABASE_SSL_CA', { DATABASE_URL, DATABASE_SSL_CA: '/nonexistent/ca.pem' }, 'cannot read'],
    ['DATABASE_SSL_KEY', { DATABASE_URL, DATABASE_SSL_CERT: 'CLIENT_CERT' }, 'is required with a client certificate (DATABASE_SSL_CERT)'],
    ['DATABASE_SSL_CA', { DATABASE_SSL_CA: 'CA' }, 'needs DATABASE_URL'],
    ['DATABASE_SSL_CA', { DATABASE_URL: `${DATABASE_URL}?sslmode=disable`, DATABASE_SSL_CA: 'CA' }, 'cannot be combined with sslmode in DATABASE_URL'],
    ['DATABASE_SSL_REJECT_UNAUTHORIZED', { DATABASE_URL, DATABASE_SSL_REJECT_UNAUTHORIZED: 'no way' }, 'must be true or false'],
  ])('stops on a bad %s, naming it (%j)', (variable, env, reason) => {
    const files: Record<string, string> = { CA: certs.caFile, KEY: certs.serverKeyFile, CLIENT_CERT: certs.clientCertFile };
    const resolved = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, files[value] ?? value]));
    const attempt = () => loadConfig(resolved);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`Invalid configuration: ${variable} `);
    expect(attempt).toThrow(reason);
  });

  it('warns at start-up when a certificate is not verified', () => {
    const config = loadConfig({ REDIS_URL, REDIS_TLS_REJECT_UNAUTHORIZED: 'false', DATABASE_URL, DATABASE_SSL_REJECT_UNAUTHORIZED: '0' });
    const warnings = summarizeConfig(config).filter((line) => line.level === 'warn' && line.message.includes('not verified'));
    expect(warnings.map((line) => line.message.split(':')[0])).toEqual(['REDIS_TLS_REJECT_UNAUTHORIZED=false', 'DATABASE_SSL_REJECT_UNAUTHORIZED=false']);
    expect(summarizeConfig(loadConfig({ REDIS_URL, DATABASE_URL })).some((line) => line.message.includes('not verified'))).toBe(false);
  });
});
