import { loadPg } from '../tiers/optional-peer.js';
import { postgresSslOption, type PostgresTlsOptions } from '../tiers/postgres/postgres-tls.js';
import type { ListenClientFactory } from './pg-channel.listener.js';

/** Options of {@link pgListenClientFactory}. */
export interface PgListenClientOptions {
  /** Where to connect; `sslmode`/`sslrootcert` in it are honoured when `ssl` is not set. */
  connectionString: string;
  /** TLS of every LISTEN session, as for the L3 tier (`postgres.ssl`). See docs/tls.md. */
  ssl?: PostgresTlsOptions;
  /** `application_name` of the session, to find it in `pg_stat_activity`. Default `tiered-cache-listen`. */
  applicationName?: string;
  /** Name of `ssl` in errors. Default `listen.ssl`. */
  option?: string;
}

/**
 * A {@link ListenClientFactory} for {@link PgChannelListener} and `PostgresInvalidationListener`:
 * a new dedicated client per (re)connect, with TCP keep-alive (a dead server is noticed) and the
 * TLS settings resolved once, here, so that a bad one fails now and not at every reconnect.
 * @throws InvalidOptionError naming the TLS option at fault.
 */
export function pgListenClientFactory(options: PgListenClientOptions): ListenClientFactory {
  const ssl = postgresSslOption(options, options.option ?? 'listen.ssl');
  const applicationName = options.applicationName ?? 'tiered-cache-listen';
  const { Client } = loadPg('pgListenClientFactory');
  return () => new Client({ connectionString: options.connectionString, keepAlive: true, application_name: applicationName, ...ssl });
}
