import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { TieredCache } from '@tiered-cache/nestjs';
import { DataSource } from 'typeorm';
import { DbInvalidationService } from '../../../src/cache/index.js';

/**
 * Waits until the app's trigger listener has applied every notification sent so far: publishes a
 * unique tag through the same trigger function and waits for the listener to apply it (one
 * connection delivers notifications in order). Tests call it after seeding or writing through SQL,
 * so that a late notification cannot invalidate an entry the test is about to count on.
 */
export async function settleInvalidations(app: INestApplication, timeoutMs = 5_000): Promise<void> {
  const sentinel = `settle:${randomUUID()}`;
  const listener = app.get(DbInvalidationService);
  let off: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const applied = new Promise<void>((resolve, reject) => {
    off = listener.onApplied((tags) => tags.includes(sentinel) && resolve());
    timer = setTimeout(() => reject(new Error(`The invalidation listener did not apply ${sentinel} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await app.get(DataSource).query('SELECT cache_publish_tags($1::text[])', [[sentinel]]);
    await applied;
    // The triggers also leave the tags pending in L3, which the periodic sweep stamps into Redis
    // again: swept now, so that it cannot invalidate an entry the test caches next.
    await app.get(TieredCache).syncPendingTags();
  } finally {
    clearTimeout(timer);
    off();
  }
}
