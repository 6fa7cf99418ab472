import { createRequire } from 'node:module';
import { MissingPeerError } from '../core/errors.js';

// The clients are CommonJS, so they load synchronously from a tier's constructor. Loaded only when
// a tier that needs them is built: an app without Redis need not install ioredis, nor pg without L3, nor
// memcache-client without Memcached.
const requirePeer = createRequire(import.meta.url);

/** The `ioredis` module. @throws MissingPeerError when it is not installed. */
export function loadIoredis(neededFor: string): typeof import('ioredis') {
  return loadPeer('ioredis', neededFor);
}

/** The `pg` module. @throws MissingPeerError when it is not installed. */
export function loadPg(neededFor: string): typeof import('pg') {
  return loadPeer('pg', neededFor);
}

/** The `memcache-client` module. @throws MissingPeerError when it is not installed. */
export function loadMemcacheClient(neededFor: string): typeof import('memcache-client') {
  return loadPeer('memcache-client', neededFor);
}

function loadPeer<T>(name: string, neededFor: string): T {
  try {
    return requirePeer(name) as T;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(`'${name}'`);
    if (missing) throw new MissingPeerError(name, neededFor);
    throw error;
  }
}
