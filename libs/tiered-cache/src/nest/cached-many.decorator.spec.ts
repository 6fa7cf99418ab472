import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { BatchLoaderError } from '../core/errors.js';
import { TieredCache } from '../core/tiered-cache.js';
import { CachedMany } from './cached-many.decorator.js';
import { CachedManyArgumentError } from './cached-many-method.wrapper.js';
import { createNestTestTiers, type NestTestTiers } from './testing/nest-test-tiers.js';

interface Row {
  readonly id: number;
  readonly name: string;
}

@Injectable()
class RowsService {
  readonly calls: number[][] = [];
  short = false;

  @CachedMany({ key: (id: number) => `row:${id}`, tags: (row: Row | null) => (row === null ? [] : [`row:${row.id}`]) })
  async findByIds(ids: number[]): Promise<Array<Row | null>> {
    this.calls.push(ids);
    const rows = ids.map((id) => (id > 100 ? null : { id, name: `row ${id}` }));
    return this.short ? rows.slice(1) : rows;
  }

  @CachedMany()
  async namesByIds(ids: number[], prefix: string): Promise<Map<number, string>> {
    this.calls.push(ids);
    return new Map(ids.map((id) => [id, `${prefix}${id}`]));
  }
}

describe('@CachedMany', () => {
  let tiers: NestTestTiers;
  beforeAll(async () => {
    tiers = await createNestTestTiers('cached_many');
  });
  afterAll(async () => tiers.dispose());

  async function setup() {
    const options = tiers.options();
    const moduleRef = await tiers.start({ providers: [RowsService] }, options);
    return { rows: moduleRef.get(RowsService), cache: moduleRef.get(TieredCache), namespace: options.namespace! };
  }

  it('calls the method with only the ids that missed, and answers in the order asked', async () => {
    const { rows } = await setup();
    expect((await rows.findByIds([2, 3, 4])).map((row) => row?.id)).toEqual([2, 3, 4]);
    expect((await rows.findByIds([1, 2, 3])).map((row) => row?.id)).toEqual([1, 2, 3]);
    expect((await rows.findByIds([4, 1, 4])).map((row) => row?.id)).toEqual([4, 1, 4]);
    expect(rows.calls).toEqual([[2, 3, 4], [1]]);
  });

  it('caches a null for an id without a row, and stores under the key function, tagged', async () => {
    const { rows, cache, namespace } = await setup();
    expect(await rows.findByIds([7, 404])).toEqual([{ id: 7, name: 'row 7' }, null]);
    await rows.findByIds([404]);
    expect(rows.calls).toEqual([[7, 404]]);
    await cache.settled();
    const peer = await tiers.peer(namespace);
    expect(await peer.get('row:7')).toEqual({ id: 7, name: 'row 7' });
    await cache.invalidateTags(['row:7']);
    await rows.findByIds([7, 404]);
    expect(rows.calls).toEqual([[7, 404], [7]]);
  });

  it('accepts a Map from the method, keys further arguments by default', async () => {
    const { rows } = await setup();
    expect(await rows.namesByIds([1, 2], 'a-')).toEqual(['a-1', 'a-2']);
    expect(await rows.namesByIds([2, 3], 'a-')).toEqual(['a-2', 'a-3']);
    expect(await rows.namesByIds([2], 'b-')).toEqual(['b-2']);
    expect(rows.calls).toEqual([[1, 2], [3], [2]]);
  });

  it('rejects a method answering fewer values with BatchLoaderError, and a non-array argument', async () => {
    const { rows } = await setup();
    rows.short = true;
    await expect(rows.findByIds([50, 51])).rejects.toThrow(BatchLoaderError);
    rows.short = false;
    expect((await rows.findByIds([50, 51])).map((row) => row?.id)).toEqual([50, 51]);
    await expect((rows.findByIds as (ids: unknown) => Promise<unknown>)(5)).rejects.toThrow(CachedManyArgumentError);
  });
});
