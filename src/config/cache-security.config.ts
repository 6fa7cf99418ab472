import { InvalidOptionError, Keyring, type EncryptionOptions, type IntegrityOptions } from '@tiered-cache/nestjs';
import { ConfigError } from './config.error.js';
import { flag, type Env } from './env-values.js';

/** Integrity and encryption of cached payloads (docs/security.md), read by {@link loadCacheSecurity}. */
export interface CacheSecurityConfig {
  /** `CACHE_INTEGRITY_KEYS` (`id=secret,...`, newest first) and `CACHE_ACCEPT_UNSIGNED`. Off when unset. */
  readonly integrity: IntegrityOptions | undefined;
  /** `CACHE_ENCRYPTION_KEYS` (`id=<32 bytes in base64 or hex>,...`, newest first). Off when unset. */
  readonly encryption: EncryptionOptions | undefined;
}

/**
 * Reads the cache's keys and checks them as the engine will, so that a bad key stops the app at
 * start-up naming the variable, not the engine's option.
 * @throws ConfigError naming the first variable that is malformed.
 */
export function loadCacheSecurity(env: Env): CacheSecurityConfig {
  const signing = keyList(env, 'CACHE_INTEGRITY_KEYS')?.map(([id, secret]) => ({ id, secret }));
  const encrypting = keyList(env, 'CACHE_ENCRYPTION_KEYS')?.map(([id, key]) => ({ id, key }));
  const acceptUnsigned = flag(env, 'CACHE_ACCEPT_UNSIGNED') === true;
  if (encrypting !== undefined && signing === undefined) throw new ConfigError('CACHE_ENCRYPTION_KEYS', 'needs CACHE_INTEGRITY_KEYS as well');
  if (acceptUnsigned && signing === undefined) throw new ConfigError('CACHE_ACCEPT_UNSIGNED', 'only applies with CACHE_INTEGRITY_KEYS');
  checked('CACHE_INTEGRITY_KEYS', () => signing && Keyring.signing(signing, 'integrity.keys'));
  checked('CACHE_ENCRYPTION_KEYS', () => encrypting && Keyring.encryption(encrypting, 'encryption.keys'));
  return {
    integrity: signing && { keys: signing, acceptUnsigned },
    encryption: encrypting && { keys: encrypting },
  };
}

/** `id=value,id=value`; values may hold `=` (base64 padding), ids may not. */
function keyList(env: Env, name: string): Array<[string, string]> | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  return raw.split(',').map((item, index) => {
    const at = item.indexOf('=');
    if (at <= 0 || at === item.length - 1) throw new ConfigError(name, `item ${index + 1} must be id=value`);
    return [item.slice(0, at).trim(), item.slice(at + 1).trim()];
  });
}

/** Runs the engine's own key checks, reporting a failure under the variable's name. */
function checked(name: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidOptionError) throw new ConfigError(name, error.message.replace(/^Invalid option /, 'key '));
    throw error;
  }
}
