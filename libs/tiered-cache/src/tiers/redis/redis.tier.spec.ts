import { createTestRedis } from '../../../../../test/support/isolation.js';
import { describeTierConformance } from '../testing/tier-conformance.js';
import { RedisTier } from './redis.tier.js';

describeTierConformance('RedisTier', async () => {
  const redis = createTestRedis('redis_tier');
  return {
    tier: new RedisTier({ client: redis.client, keyPrefix: redis.prefix, namespace: 'one' }),
    otherNamespace: new RedisTier({ client: redis.client, keyPrefix: redis.prefix, namespace: 'two' }),
    dispose: () => redis.drop(),
  };
}, { fencesWrites: true });
