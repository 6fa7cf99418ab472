import { createTestSchema } from '../../../../../test/support/isolation.js';
import { describeTierConformance } from '../testing/tier-conformance.js';
import { PostgresTier } from './postgres.tier.js';

describeTierConformance('PostgresTier', async () => {
  const db = await createTestSchema('pg_tier');
  // Conformance is about what the tier stores, not how fast: on a loaded machine the 5 MB read can
  // outlast the 500 ms default. Timeouts have their own specs (resilience).
  const queryTimeoutMs = 10_000;
  const tier = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'one', queryTimeoutMs });
  const other = new PostgresTier({ pool: db.pool, schema: db.schema, namespace: 'two', queryTimeoutMs });
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
