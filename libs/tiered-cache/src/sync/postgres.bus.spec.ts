import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually } from '../../../../test/support/eventually.js';
import { uniqueName } from '../../../../test/support/isolation.js';
import { TEST_DATABASE_URL } from '../../../../test/support/services.js';
import type { BusMessage } from './bus-message.js';
import { PostgresBus, splitForNotify } from './postgres.bus.js';

describe('PostgresBus (LISTEN/NOTIFY on a real PostgreSQL)', () => {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  const channel = uniqueName('bus');
  const bus = (instanceId: string) => new PostgresBus({ pool, createClient: () => new pg.Client({ connectionString: TEST_DATABASE_URL }), instanceId, channel });
  const a = bus('a');
  const b = bus('b');
  const seenByB: BusMessage[] = [];
  const seenByA: BusMessage[] = [];

  beforeAll(async () => {
    a.onMessage((message) => seenByA.push(message));
    b.onMessage((message) => seenByB.push(message));
    await Promise.all([a.ready(), b.ready()]);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await pool.end();
  });

  it('delivers a message to the other instance and not back to its sender', async () => {
    await a.publish({ kind: 'tags', tags: ['t1'], stamp: 42 });
    await eventually(() => seenByB.length, (count) => count === 1);
    expect(seenByB[0]).toEqual({ kind: 'tags', tags: ['t1'], stamp: 42 });
    await a.publish({ kind: 'clear', namespace: 'n' });
    await eventually(() => seenByB.length, (count) => count === 2);
    expect(seenByA).toEqual([]);
  });

  it('splits a delete too large for one NOTIFY, and every key arrives', async () => {
    seenByB.length = 0;
    const keys = Array.from({ length: 600 }, (_, index) => `key:${index}:${'x'.repeat(40)}`);
    await a.publish({ kind: 'delete', namespace: 'n', keys });
    const received = await eventually(
      () => seenByB.flatMap((message) => (message.kind === 'delete' ? message.keys : [])),
      (got) => got.length >= keys.length,
    );
    expect(received.sort()).toEqual([...keys].sort());
    expect(seenByB.length).toBeGreaterThan(1);
  });
});

describe('splitForNotify', () => {
  const encode = (message: BusMessage) => JSON.stringify(message);

  it('keeps a small message whole and halves a large one until each part fits', () => {
    expect(splitForNotify({ kind: 'clear', namespace: 'n' }, encode)).toHaveLength(1);
    const tags = Array.from({ length: 2_000 }, (_, index) => `tag-${index}`);
    const parts = splitForNotify({ kind: 'tags', tags, stamp: 1 }, encode);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(7_000);
    expect(parts.flatMap((part) => (JSON.parse(part) as { tags: string[] }).tags)).toEqual(tags);
  });

  it('refuses one item that alone is over the limit', () => {
    expect(() => splitForNotify({ kind: 'delete', namespace: 'n', keys: ['k'.repeat(8_000)] }, encode)).toThrow('does not fit one NOTIFY');
  });
});
