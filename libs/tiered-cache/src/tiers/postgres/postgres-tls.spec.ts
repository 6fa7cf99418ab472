import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { until } from '../../../../../test/support/eventually.js';
import { PostgresProcess } from '../../../../../test/support/postgres-process.js';
import { createTestCertificates, type TestCertificates } from '../../../../../test/support/tls-certificates.js';
import { InvalidOptionError } from '../../core/errors.js';
import { TieredCache } from '../../core/tiered-cache.js';
import { PgChannelListener } from '../../sync/pg-channel.listener.js';
import { pgListenClientFactory } from '../../sync/pg-listen-client.factory.js';
import { describeTierConformance, makeEntry } from '../testing/tier-conformance.js';
import { cacheSchemaSql } from './postgres.schema.js';
import { PostgresTier, type PostgresTierOptions } from './postgres.tier.js';

const SCHEMA = 'cache';
/** Node's codes for a certificate that does not verify. */
const VERIFY_FAILURES = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'];

describe('PostgreSQL over TLS (a throwaway cluster that accepts TLS connections only)', () => {
  let certs: TestCertificates;
  let server: PostgresProcess;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    certs = await createTestCertificates();
    server = await PostgresProcess.start({
      certFile: certs.serverCertFile,
      keyFile: certs.serverKeyFile,
      caFile: certs.caFile,
      // The role `tiered-cache` signs in with its client certificate (CN) and nothing else.
      hba: ['hostssl all tiered-cache 127.0.0.1/32 cert'],
    });
    const admin = new pg.Client({ connectionString: server.url(), ssl: { ca: certs.ca } });
    await admin.connect();
    await admin.query(cacheSchemaSql(SCHEMA));
    await admin.query(`CREATE ROLE "tiered-cache" LOGIN; GRANT ALL ON SCHEMA ${SCHEMA} TO "tiered-cache";
      GRANT ALL ON ALL TABLES IN SCHEMA ${SCHEMA} TO "tiered-cache"; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${SCHEMA} TO "tiered-cache"`);
    await admin.end();
  }, 30_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await server?.stop();
    await certs?.dispose();
  });

  function tier(options: Partial<PostgresTierOptions>): PostgresTier {
    const created = new PostgresTier({ connectionString: server.url(), schema: SCHEMA, namespace: 'tls', queryTimeoutMs: 5_000, ...options });
    closers.push(() => created.close());
    return created;
  }

  /** A write and a read went through, on a session that is encrypted. */
  async function works(subject: PostgresTier): Promise<void> {
    const { entry, payload } = makeEntry('over tls', { createdAt: await subject.now() });
    await subject.set('k', entry, payload);
    expect((await subject.get('k')).entry?.value).toBe('over tls');
    const { rows } = await subject.pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    expect(rows[0]?.ssl).toBe(true);
  }

  /** The first query fails with one of `codes` (Node's) or a message matching `message` (the server's). */
  async function refused(subject: PostgresTier, expected: { codes?: string[]; message?: RegExp }): Promise<void> {
    const error = (await subject.now().then(
      () => undefined,
      (caught: unknown) => caught,
    )) as NodeJS.ErrnoException | undefined;
    expect(error).toBeDefined();
    if (expected.codes) expect(expected.codes).toContain(error!.code);
    if (expected.message) expect(error!.message).toMatch(expected.message);
  }

  describeTierConformance(
    'PostgresTier over TLS (ssl option)',
    async () => {
      const options = { connectionString: server.url(), ssl: { caFile: certs.caFile }, schema: SCHEMA, queryTimeoutMs: 10_000 };
      const one = new PostgresTier({ ...options, namespace: 'one' });
      const two = new PostgresTier({ ...options, namespace: 'two' });
      return { tier: one, otherNamespace: two, dispose: async () => void (await Promise.all([one.close(), two.close()])) };
    },
    { fencesWrites: true },
  );

  it('works with sslmode=verify-full and the CA in the connection string', async () => {
    await works(tier({ connectionString: server.url(`?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.caFile)}`) }));
  });

  it('is refused without TLS: the server has no entry for a plaintext connection', async () => {
    await refused(tier({ connectionString: server.url('?sslmode=disable') }), { message: /no pg_hba\.conf entry .*no encryption/ });
    await refused(tier({}), { message: /no pg_hba\.conf entry .*no encryption/ });
  });

  it('refuses a server whose certificate another CA signed', async () => {
    await refused(tier({ ssl: { caFile: certs.otherCaFile } }), { codes: VERIFY_FAILURES });
  });

  it('verifies by default: with no CA given, the system CAs do not know the test CA', async () => {
    await refused(tier({ ssl: {} }), { codes: VERIFY_FAILURES });
    // The same server is reachable once verification is turned off: the refusal above was the check.
    await works(tier({ ssl: { rejectUnauthorized: false } }));
  });

  it('checks the host name: a servername the certificate does not carry is refused', async () => {
    await refused(tier({ ssl: { caFile: certs.caFile, servername: 'db.example.com' } }), { codes: ['ERR_TLS_CERT_ALTNAME_INVALID'] });
    await works(tier({ ssl: { caFile: certs.caFile, servername: 'localhost' } }));
  });

  it('presents a client certificate to a role that must sign in with one', async () => {
    const asRole = server.url().replace('postgres@', 'tiered-cache@');
    await refused(tier({ connectionString: asRole, ssl: { caFile: certs.caFile } }), { message: /certificate/ });
    await works(tier({ connectionString: asRole, ssl: { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile } }));
  });

  it('the LISTEN connection runs over TLS and receives notifications; with the wrong CA it never connects', async () => {
    const received: string[] = [];
    const listener = new PgChannelListener({
      createClient: pgListenClientFactory({ connectionString: server.url(), ssl: { caFile: certs.caFile } }),
      channel: 'tc_tls',
      onNotification: (payload) => received.push(payload),
    });
    closers.push(() => listener.stop());
    await listener.start();
    expect(listener.connected).toBe(true);
    const sender = tier({ ssl: { caFile: certs.caFile } });
    await sender.pool.query(`SELECT pg_notify('tc_tls', 'hello')`);
    await until(() => received.includes('hello'), 2_000);
    const { rows } = await sender.pool.query<{ ssl: boolean }>(
      `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'tiered-cache-listen'`,
    );
    expect(rows).toEqual([{ ssl: true }]);

    const errors: Error[] = [];
    const wrongCa = new PgChannelListener({
      createClient: pgListenClientFactory({ connectionString: server.url(), ssl: { caFile: certs.otherCaFile } }),
      channel: 'tc_tls',
      onNotification: () => undefined,
      onError: (error) => errors.push(error),
    });
    closers.push(() => wrongCa.stop());
    await wrongCa.start();
    expect(wrongCa.connected).toBe(false);
    expect(VERIFY_FAILURES).toContain((errors[0] as NodeJS.ErrnoException | undefined)?.code);
  });

  it('names the option at fault at construction, before anything connects', () => {
    const build = (options: Partial<PostgresTierOptions>) => () => new PostgresTier({ connectionString: server.url(), ...options });
    expect(build({ ssl: { caFile: '/nonexistent/ca.pem' } })).toThrow(new InvalidOptionError('postgres.ssl.caFile', 'cannot read "/nonexistent/ca.pem": ENOENT'));
    // pg would let the connection string win over `ssl` without a word; sslmode=disable would mean plaintext.
    expect(build({ connectionString: server.url('?sslmode=disable'), ssl: { caFile: certs.caFile } })).toThrow(
      "Invalid option 'postgres.ssl': is set and the connection string sets sslmode as well; configure TLS in one of them",
    );
    const pool = new pg.Pool({ connectionString: server.url() });
    closers.push(() => pool.end());
    expect(build({ pool, ssl: { caFile: certs.caFile } })).toThrow(/^Invalid option 'postgres\.ssl': cannot apply to a pool/);
    expect(() => pgListenClientFactory({ connectionString: server.url(), ssl: { keyFile: certs.clientKeyFile } })).toThrow("Invalid option 'listen.ssl.cert'");
    expect(() => new TieredCache({ memory: false, postgres: { connectionString: server.url(), ssl: { caFile: certs.serverKeyFile } } })).toThrow(
      "Invalid option 'postgres.ssl.caFile': holds no PEM certificate",
    );
  });
});
