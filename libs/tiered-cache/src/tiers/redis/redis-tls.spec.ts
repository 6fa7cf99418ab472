import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { until } from '../../../../../test/support/eventually.js';
import { uniqueName } from '../../../../../test/support/isolation.js';
import { RedisProcess } from '../../../../../test/support/redis-process.js';
import { createTestCertificates, type TestCertificates } from '../../../../../test/support/tls-certificates.js';
import { InvalidOptionError } from '../../core/errors.js';
import { TieredCache } from '../../core/tiered-cache.js';
import { describeTierConformance, makeEntry } from '../testing/tier-conformance.js';
import { redisTlsOption } from './redis-tls.js';
import { RedisTier, type RedisTierOptions } from './redis.tier.js';

/** Node's codes for a certificate that does not verify. */
const VERIFY_FAILURES = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT'];

describe('Redis over TLS (a private TLS-only redis-server)', () => {
  let certs: TestCertificates;
  /** TLS only, client certificates optional. */
  let server: RedisProcess;
  /** TLS only, client certificate required. */
  let mutual: RedisProcess;
  /** Plaintext only. */
  let plain: RedisProcess;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    certs = await createTestCertificates();
    const tls = { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile };
    [server, mutual, plain] = await Promise.all([
      RedisProcess.start({ tls }),
      RedisProcess.start({ tls: { ...tls, authClients: 'yes', clientCertFile: certs.clientCertFile, clientKeyFile: certs.clientKeyFile } }),
      RedisProcess.start(),
    ]);
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await Promise.all([server?.stop(), mutual?.stop(), plain?.stop()]);
    await certs?.dispose();
  });

  /** A tier the test closes, recording the errors its client reports. */
  function tier(options: Partial<RedisTierOptions>): { tier: RedisTier; errors: NodeJS.ErrnoException[] } {
    const created = new RedisTier({ url: server.url, keyPrefix: `${uniqueName('tls')}:`, namespace: 'n', ...options });
    const errors: NodeJS.ErrnoException[] = [];
    created.client.on('error', (error: NodeJS.ErrnoException) => errors.push(error));
    closers.push(() => created.close());
    return { tier: created, errors };
  }

  /** Connected, and a write then a read went through. */
  async function works(subject: RedisTier): Promise<void> {
    await subject.ready(3_000);
    const { entry, payload } = makeEntry('over tls', { createdAt: await subject.now() });
    await subject.set('k', entry, payload);
    expect((await subject.get('k')).entry?.value).toBe('over tls');
  }

  /** Never connected: ready() gives up, a call fails, and the client reported why. */
  async function refused(subject: RedisTier, errors: NodeJS.ErrnoException[], codes: string[]): Promise<void> {
    await expect(subject.ready(1_000)).rejects.toThrow();
    await expect(subject.get('k')).rejects.toThrow();
    expect(subject.client.status).not.toBe('ready');
    expect(errors.length).toBeGreaterThan(0);
    // Every attempt failed the same way: none got past the handshake.
    expect(errors.filter((error) => !codes.includes(error.code ?? '')).map(String)).toEqual([]);
  }

  describeTierConformance(
    'RedisTier over TLS',
    async () => {
      const keyPrefix = `${uniqueName('tls_conf')}:`;
      const options = { url: server.url, tls: { caFile: certs.caFile }, keyPrefix };
      const one = new RedisTier({ ...options, namespace: 'one' });
      const two = new RedisTier({ ...options, namespace: 'two' });
      return { tier: one, otherNamespace: two, dispose: async () => void (await Promise.all([one.close(), two.close()])) };
    },
    { fencesWrites: true },
  );

  it('two caches share L2, the lock and the bus over TLS: an invalidation on one reaches the other L1', async () => {
    const options = { namespace: 'tls', redis: { url: server.url, keyPrefix: `${uniqueName('tls_bus')}:`, tls: { caFile: certs.caFile } } };
    const a = new TieredCache(options);
    const b = new TieredCache(options);
    closers.push(() => a.close(), () => b.close());
    expect(await a.ready(3_000)).toBe(true);
    expect(await b.ready(3_000)).toBe(true);
    expect(a.stats().bus).toBe('connected');
    expect(await a.getOrSet('product:1', () => 'v1', { tags: ['product:1'], lock: true })).toBe('v1');
    expect(await b.get('product:1')).toBe('v1'); // from L2, now in b's L1 too
    expect(await b.get('product:1', { tiers: ['l1'] })).toBe('v1');
    await a.invalidateTags(['product:1']);
    await until(async () => (await b.get('product:1', { tiers: ['l1'] })) === undefined, 2_000);
    expect(a.stats().tiers.l2?.errors ?? 0).toBe(0);
  });

  it('refuses a server whose certificate another CA signed, on every attempt', async () => {
    const { tier: subject, errors } = tier({ tls: { caFile: certs.otherCaFile } });
    await refused(subject, errors, VERIFY_FAILURES);
  });

  it('verifies by default: with no CA given, the system CAs do not know the test CA', async () => {
    expect(redisTlsOption({ url: 'rediss://cache:6380' }).tls).toEqual({ rejectUnauthorized: true });
    const unverified = tier({});
    await refused(unverified.tier, unverified.errors, VERIFY_FAILURES);
    // The same server is reachable once verification is turned off: the refusal above was the check.
    await works(tier({ tls: { rejectUnauthorized: false } }).tier);
  });

  it('checks the host name: a servername the certificate does not carry is refused', async () => {
    const wrongName = tier({ tls: { caFile: certs.caFile, servername: 'cache.example.com' } });
    await refused(wrongName.tier, wrongName.errors, ['ERR_TLS_CERT_ALTNAME_INVALID']);
    await works(tier({ tls: { caFile: certs.caFile, servername: 'localhost' } }).tier);
  });

  it('never falls back to plaintext: a rediss:// url to a plaintext server fails', async () => {
    const admin = new Redis(plain.url);
    closers.push(() => admin.quit());
    const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await admin.info('stats'))![1]);
    const before = await commands();
    const { tier: subject, errors } = tier({ url: plain.url.replace('redis://', 'rediss://'), tls: { caFile: certs.caFile } });
    await expect(subject.ready(1_000)).rejects.toThrow();
    // The handshake waits for a server hello that never comes, until the connect timeout.
    await until(() => errors.length > 0, 4_000);
    expect(subject.client.status).not.toBe('ready');
    // The plaintext server ran no command from it: the one more is the first INFO above.
    expect((await commands()) - before).toBe(1);
  });

  it('presents the client certificate to a server that requires one, on the bus connection too', async () => {
    const withoutCert = tier({ url: mutual.url, tls: { caFile: certs.caFile } });
    await expect(withoutCert.tier.ready(1_000)).rejects.toThrow();
    const options = {
      namespace: 'mtls',
      redis: { url: mutual.url, keyPrefix: `${uniqueName('mtls')}:`, tls: { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile } },
    };
    const a = new TieredCache(options);
    const b = new TieredCache(options);
    closers.push(() => a.close(), () => b.close());
    expect(await a.ready(3_000)).toBe(true);
    expect(await b.ready(3_000)).toBe(true);
    await a.set('k', 'mutual', { tags: ['t'] });
    expect(await b.get('k')).toBe('mutual');
    await a.invalidateTags(['t']);
    await until(async () => (await b.get('k', { tiers: ['l1'] })) === undefined, 2_000);
  });

  it('names the option at fault at construction, before anything connects', () => {
    const build = (options: Partial<RedisTierOptions>) => () => new RedisTier({ url: server.url, ...options });
    expect(build({ tls: { caFile: '/nonexistent/ca.pem' } })).toThrow(new InvalidOptionError('redis.tls.caFile', 'cannot read "/nonexistent/ca.pem": ENOENT'));
    expect(build({ url: plain.url, tls: { caFile: certs.caFile } })).toThrow(/^Invalid option 'redis\.tls': .*rediss:\/\//);
    const client = new Redis(server.url, { lazyConnect: true });
    expect(build({ client, tls: { caFile: certs.caFile } })).toThrow(/^Invalid option 'redis\.tls': cannot apply to a client/);
    // Through the engine's options the same.
    expect(() => new TieredCache({ redis: { url: server.url, tls: { certFile: certs.clientCertFile } } })).toThrow("Invalid option 'redis.tls.key'");
  });
});
