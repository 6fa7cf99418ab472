import type { ConnectionOptions } from 'node:tls';
import { InvalidOptionError } from '../../core/errors.js';
import { resolveTls, type TlsOptions } from '../tls.options.js';

/** TLS of a PostgreSQL connection: {@link TlsOptions}. The server's certificate is verified by default. */
export type PostgresTlsOptions = TlsOptions;

/** What decides the TLS of a connection the library opens to PostgreSQL. */
export interface PostgresTlsSource {
  pool?: unknown;
  connectionString?: string;
  ssl?: PostgresTlsOptions;
}

/** Connection string parameters through which `pg` sets TLS itself. */
const SSL_PARAMETERS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

/**
 * The `ssl` setting of a `pg` pool or client the library builds from a connection string.
 *
 * Without `ssl`, `pg` follows the connection string (`sslmode=verify-full&sslrootcert=...`).
 * With it, TLS is on and the server's certificate verified (`rejectUnauthorized` default true);
 * the connection string then must not carry TLS parameters of its own: `pg` would let them win
 * over `ssl` without a word, and `sslmode=disable` would quietly mean plaintext.
 *
 * @param option the name of `ssl` in errors. Default `postgres.ssl`.
 * @throws InvalidOptionError naming the option, e.g. `postgres.ssl.caFile` for a missing file.
 */
export function postgresSslOption(source: PostgresTlsSource, option = 'postgres.ssl'): { ssl?: ConnectionOptions } {
  if (source.ssl === undefined) return {};
  if (source.pool !== undefined) throw new InvalidOptionError(option, 'cannot apply to a pool that was passed in; configure TLS on that pool');
  const inUrl = source.connectionString === undefined ? [] : sslParameters(source.connectionString);
  if (inUrl.length > 0) {
    throw new InvalidOptionError(option, `is set and the connection string sets ${inUrl.join(', ')} as well; configure TLS in one of them`);
  }
  return { ssl: resolveTls(source.ssl, option) };
}

/** TLS parameters in a connection string (names only: their values may be secret paths). */
export function sslParameters(connectionString: string): string[] {
  const query = connectionString.includes('?') ? connectionString.slice(connectionString.indexOf('?') + 1) : '';
  const names = query.split('&').map((pair) => safeDecode(pair.split('=')[0] ?? '').toLowerCase());
  return SSL_PARAMETERS.filter((name) => names.includes(name));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
