import { createTestRedis, createTestSchema } from '../../../../test/support/isolation.js';
import { v8Serializer } from '../core/serializer.js';
import { describeTierConformance } from '../tiers/testing/tier-conformance.js';
import { PostgresTier } from '../tiers/postgres/postgres.tier.js';
import { RedisTier } from '../tiers/redis/redis.tier.js';
import { Keyring } from './keyring.js';
import { PayloadCodec } from './payload-codec.js';
import { PayloadSeal } from './payload-seal.js';

// With integrity and encryption on, the remote tiers keep every promise of the conformance suite.
const codec = new PayloadCodec(
  v8Serializer,
  new PayloadSeal(
    Keyring.signing([{ id: 'k', secret: 'a-secret-of-at-least-thirty-two-bytes' }], 'integrity.keys'),
    Keyring.encryption([{ id: 'e', key: Buffer.alloc(32, 2) }], 'encryption.keys'),
    false,
  ),
);

describeTierConformance('RedisTier, sealed and encrypted', async () => {
  const redis = createTestRedis('sealed_redis');
  return {
    tier: new RedisTier({ client: redis.client, keyPrefix: redis.prefix, namespace: 'one', codec }),
    otherNamespace: new RedisTier({ client: redis.client, keyPrefix: redis.prefix, namespace: 'two', codec }),
    dispose: () => redis.drop(),
  };
}, { fencesWrites: true });

describeTierConformance('PostgresTier, sealed and encrypted', async () => {
  const db = await createTestSchema('sealed_pg');
  const tier = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'one', queryTimeoutMs: 10_000, codec });
  const other = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'two', queryTimeoutMs: 10_000, codec });
  return {
    tier,
    otherNamespace: other,
    async dispose() {
      await tier.close();
      await other.close();
      await db.drop();
    },
  };
}, { fencesWrites: true });
