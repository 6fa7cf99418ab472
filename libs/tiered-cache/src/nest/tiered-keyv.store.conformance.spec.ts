import { afterAll, beforeAll, describe } from '@jest/globals';
import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import Keyv from 'keyv';
import type { TieredCache } from '../core/tiered-cache.js';
import type { TierName } from '../tiers/tier.js';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { uniqueName } from '../../../../test/support/isolation.js';
import { jestAsVitest } from './testing/keyv-test-suite.adapter.js';
import { TieredKeyvStore } from './tiered-keyv.store.js';

/** Keyv's own compliance suite (API, values, namespaces, iterator) on real Redis and PostgreSQL. */
describe.each<[string, readonly TierName[] | undefined]>([
  ['every tier', undefined],
  ['L1 and Redis', ['l1', 'l2']],
  ['PostgreSQL only', ['l3']],
])('TieredKeyvStore passes @keyv/test-suite: %s', (_label, tiers) => {
  let fixture: CacheFixture;
  let cache: TieredCache;
  beforeAll(async () => {
    fixture = await createCacheFixture('keyv_suite');
    cache = await fixture.create({ namespace: uniqueName('kv') });
  });
  afterAll(async () => fixture.dispose());

  // The suite builds a Keyv, and so a store, per call: each Keyv sets the namespace of its own.
  const store = () => new TieredKeyvStore(cache, { tiers });
  keyvTestSuite(jestAsVitest as never, Keyv, store);
  keyvIteratorTests(jestAsVitest as never, Keyv, store);
});
