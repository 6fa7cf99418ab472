import { createTestSchema } from '../../../../../test/support/isolation.js';
import { describeTierConformance } from '../testing/tier-conformance.js';
import { PostgresTier } from './postgres.tier.js';

describeTierConformance('PostgresTier', async () => {
  const db = await createTestSchema('pg_tier');
  const tier = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'one' });
  const other = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'two' });
  return {
    tier,
    otherNamespace: other,
    async dispose() {
      await tier.close();
      await other.close();
      await db.drop();
    },
  };
});
