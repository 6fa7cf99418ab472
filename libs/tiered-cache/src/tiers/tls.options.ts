import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { InvalidOptionError } from '../core/errors.js';

type Pem = string | Buffer;

/**
 * TLS settings of a connection to Redis or PostgreSQL. Each PEM can be given inline or as a file
 * path (read once, at construction: a renewed certificate takes a restart). With no CA the
 * system's trusted CAs apply.
 */
export interface TlsOptions {
  /** CA certificate(s), PEM, that the server's certificate must chain to. Replaces the system CAs. */
  ca?: Pem | readonly Pem[];
  /** Path of a PEM file with the CA certificate(s). Not together with `ca`. */
  caFile?: string;
  /** Client certificate, PEM, for a server that authenticates clients by certificate. Needs a key. */
  cert?: Pem;
  /** Path of the client certificate's PEM file. Not together with `cert`. */
  certFile?: string;
  /** Private key of the client certificate, PEM. */
  key?: Pem;
  /** Path of the private key's PEM file. Not together with `key`. */
  keyFile?: string;
  /** Passphrase of an encrypted private key. */
  passphrase?: string;
  /**
   * Host name the server's certificate must be issued for, also sent as SNI. Default: the host
   * connected to. Set it when connecting by IP address to a server whose certificate names a host.
   */
  servername?: string;
  /**
   * Refuse a server whose certificate does not verify (unknown CA, wrong host name, expired).
   * Default true. `false` accepts any certificate, so anyone on the path can read and change the
   * traffic: only for a throwaway test set-up.
   */
  rejectUnauthorized?: boolean;
}

/**
 * Node's TLS connection options from {@link TlsOptions}, with files read and every certificate and
 * key parsed now, so that a missing file or a broken PEM fails at construction, not at the first
 * connection attempt (which would only be retried forever).
 * @param option where the options came from, e.g. `redis.tls`; named in every error.
 * @throws InvalidOptionError naming the offending option, e.g. `redis.tls.caFile`.
 */
export function resolveTls(options: TlsOptions, option: string): ConnectionOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError(option, 'must be an object');
  const ca = material(options, 'ca', option);
  const cert = material(options, 'cert', option);
  const key = material(options, 'key', option);
  if (options.rejectUnauthorized !== undefined && typeof options.rejectUnauthorized !== 'boolean') {
    throw new InvalidOptionError(`${option}.rejectUnauthorized`, `must be true or false, got ${JSON.stringify(options.rejectUnauthorized)}`);
  }
  if (options.servername !== undefined && (typeof options.servername !== 'string' || options.servername.trim() === '')) {
    throw new InvalidOptionError(`${option}.servername`, 'must be a non-empty host name');
  }
  if (options.passphrase !== undefined && typeof options.passphrase !== 'string') {
    throw new InvalidOptionError(`${option}.passphrase`, 'must be a string');
  }
  if (cert !== undefined && key === undefined) throw new InvalidOptionError(`${option}.key`, 'is required with a client certificate (cert or certFile)');
  if (key !== undefined && cert === undefined) throw new InvalidOptionError(`${option}.cert`, 'is required with a client key (key or keyFile)');
  if (ca !== undefined) parseCertificates(ca, `${option}.${options.caFile !== undefined ? 'caFile' : 'ca'}`);
  if (cert !== undefined) parse({ cert, key, passphrase: options.passphrase }, `${option}.${options.certFile !== undefined ? 'certFile' : 'cert'}`);
  const resolved: ConnectionOptions = { rejectUnauthorized: options.rejectUnauthorized ?? true };
  if (ca !== undefined) resolved.ca = ca;
  if (cert !== undefined) resolved.cert = cert;
  if (key !== undefined) resolved.key = key;
  if (options.passphrase !== undefined) resolved.passphrase = options.passphrase;
  if (options.servername !== undefined) resolved.servername = options.servername;
  return resolved;
}

/** The inline PEM or the file's content; never both. */
function material(options: TlsOptions, name: 'ca' | 'cert' | 'key', option: string): Pem | Pem[] | undefined {
  const inline = options[name];
  const path = options[`${name}File`];
  if (inline !== undefined && path !== undefined) throw new InvalidOptionError(`${option}.${name}File`, `give ${name} or ${name}File, not both`);
  if (path !== undefined) {
    if (typeof path !== 'string' || path === '') throw new InvalidOptionError(`${option}.${name}File`, 'must be a file path');
    try {
      return readFileSync(path);
    } catch (error) {
      throw new InvalidOptionError(`${option}.${name}File`, `cannot read ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (inline === undefined) return undefined;
  const list = Array.isArray(inline) ? inline : [inline];
  if (list.length === 0 || list.some((pem) => typeof pem !== 'string' && !Buffer.isBuffer(pem))) {
    throw new InvalidOptionError(`${option}.${name}`, 'must be PEM text or a Buffer');
  }
  return Array.isArray(inline) ? [...list] : (inline as Pem);
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** OpenSSL skips whatever in a CA list is not a certificate, so a wrong file would only show as refused connections. */
function parseCertificates(ca: Pem | Pem[], option: string): void {
  const blocks = (Array.isArray(ca) ? ca : [ca]).flatMap((pem) => (typeof pem === 'string' ? pem : pem.toString('latin1')).match(PEM_CERTIFICATE) ?? []);
  if (blocks.length === 0) throw new InvalidOptionError(option, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new InvalidOptionError(option, `holds a certificate that does not parse: ${(error as Error).message}`);
    }
  }
}

/** OpenSSL parses what it is given here exactly as it will on connect. */
function parse(material: ConnectionOptions, option: string): void {
  try {
    createSecureContext(material);
  } catch (error) {
    throw new InvalidOptionError(option, `is not a usable PEM certificate or key: ${(error as Error).message}`);
  }
}
