import type { LoggerService } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { TieredCache } from '../core/tiered-cache.js';

/** Keys already reported; a forged entry read in a loop, or a flood of them, logs each key once. */
const REMEMBERED_KEYS = 10_000;

/**
 * Logs each key whose stored payload failed its size or integrity check, once per key and tier:
 * the count is in the metrics (`tiered_cache_payloads_rejected_total`), the log names what to
 * look at. Returns a function that stops it.
 */
export function logPayloadRejections(cache: TieredCache, logger: Pick<LoggerService, 'warn'>): () => void {
  const reported = new LRUCache<string, true>({ max: REMEMBERED_KEYS });
  return cache.observe({
    payloadRejected({ tier, key, reason }) {
      const id = `${tier}\u0000${key}`;
      if (reported.has(id)) return;
      reported.set(id, true);
      logger.warn(`Refused the ${tier} payload of key ${JSON.stringify(key)} (${reason}) and removed it; see docs/security.md`);
    },
  });
}
