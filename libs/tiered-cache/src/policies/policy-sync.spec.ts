import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { eventually } from '../../../../test/support/eventually.js';
import { policiesSchemaSql } from './policies.schema.js';
import { DuplicatePolicyMatchError, PostgresPolicyStore } from './policy.pg-store.js';
import { PolicySync } from './policy-sync.js';

/** Policies in `cache_policies`, kept in step across two instances by the bus announcement. */
describe('PolicySync with PostgresPolicyStore', () => {
  let fx: CacheFixture;
  const syncs: PolicySync[] = [];
  beforeAll(async () => {
    fx = await createCacheFixture('policies_sync');
    await fx.db.pool.query(policiesSchemaSql(fx.db.schema));
  });
  afterAll(async () => {
    for (const sync of syncs) sync.close();
    await fx.dispose();
  });

  const instance = async (namespace: string, id: string, reloadInterval: string | number = '1h') => {
    const cache = await fx.create({ namespace, instanceId: id });
    const store = new PostgresPolicyStore(fx.db.pool, fx.db.schema, namespace);
    const errors: string[] = [];
    const sync = new PolicySync(cache, store, { reloadInterval, onError: (message) => errors.push(message) });
    syncs.push(sync);
    await sync.start();
    return { cache, store, sync, errors };
  };

  it('a policy written and announced on one instance is in force on the other without waiting for the timer', async () => {
    const a = await instance('pol_sync', 'a');
    const b = await instance('pol_sync', 'b');
    const created = await a.store.create({ match: { prefix: 'hot:' }, disabled: true, note: 'n' }, 'alice');
    expect(created).toMatchObject({ id: expect.any(String), match: { prefix: 'hot:' }, disabled: true, note: 'n', updatedBy: 'alice' });
    await a.sync.reload();
    await a.cache.announcePolicies();
    await eventually(() => b.sync.status(), (status) => status.inForce === 1, 5_000);
    const loader = countingLoader(() => 'v');
    await b.cache.getOrSet('hot:1', loader);
    await b.cache.getOrSet('hot:1', loader);
    expect(loader.calls).toBe(2);
    await expect(a.store.create({ match: { prefix: 'hot:' }, ttl: '1s' }, 'bob')).rejects.toThrow(DuplicatePolicyMatchError);
  });

  it('without an announcement, the periodic reload catches up', async () => {
    const a = await instance('pol_timer', 'a', 50);
    const store = new PostgresPolicyStore(fx.db.pool, fx.db.schema, 'pol_timer');
    await store.create({ match: { tag: 'catalog' }, ttl: 1500 }, 'alice');
    await eventually(() => a.cache.policies().size, (size) => size === 1, 5_000);
    expect(a.cache.policies().policies[0]).toMatchObject({ match: { tag: 'catalog' }, ttl: 1500 });
  });

  it('an invalid row puts no policy in force and says which; an unreadable table keeps what is in force', async () => {
    const a = await instance('pol_bad', 'a');
    await a.store.create({ match: { prefix: 'x:' }, ttl: '1m' }, 'alice');
    expect((await a.sync.reload()).inForce).toBe(1);
    const { rows } = await fx.db.pool.query<{ id: string }>(
      `INSERT INTO "${fx.db.schema}".cache_policies (namespace, match_prefix, ttl, updated_by) VALUES ('pol_bad', 'y:', 'soon', 'psql') RETURNING id`,
    );
    const status = await a.sync.reload();
    expect(status.inForce).toBe(0);
    expect(status.error).toContain(`policy ${rows[0]!.id}: Invalid cache policy: ttl`);
    expect(a.cache.policies().size).toBe(0);
    expect(await a.cache.getOrSet('y:1', () => 'still served')).toBe('still served');

    await fx.db.pool.query(`DELETE FROM "${fx.db.schema}".cache_policies WHERE id = $1`, [rows[0]!.id]);
    expect((await a.sync.reload()).inForce).toBe(1);
    const broken = new PolicySync(a.cache, { list: () => Promise.reject(new Error('connection refused')) }, { reloadInterval: 0 });
    const kept = await broken.reload();
    expect(kept.error).toMatch(/connection refused/);
    expect(a.cache.policies().size).toBe(1);
  });
});
