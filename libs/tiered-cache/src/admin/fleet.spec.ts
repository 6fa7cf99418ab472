import { describe, expect, it } from '@jest/globals';
import { InvalidOptionError } from '../core/errors.js';
import type { CacheStats } from '../core/stats.js';
import { parseHeartbeat } from './fleet-heartbeat.store.js';
import { fleetInstances, fleetTotals, instanceStatus, type InstanceHeartbeat } from './fleet-status.js';
import { resolveFleetOptions } from './fleet.options.js';
import { libraryVersion } from './library-version.js';

const tier = (hits: number, misses: number, circuit: 'closed' | 'open' | 'n/a' = 'closed') =>
  ({ hits, misses, errors: 0, writes: 1, writeErrors: 0, rejected: 0, hitRatio: 0, circuit }) as const;
const stats = (over: Partial<CacheStats> = {}): CacheStats => ({
  namespace: 'ns',
  tiers: { l1: { ...tier(3, 7, 'n/a'), hitRatio: 0.3 }, l2: { ...tier(1, 6), hitRatio: 1 / 7 } },
  hitRatio: 0.4,
  loaderCalls: 6,
  coalescedCalls: 0,
  staleServed: 0,
  refreshes: 0,
  lockWaits: 0,
  invalidations: { app: 2 },
  l1: { entries: 4, bytes: 100 },
  bus: 'connected',
  ...over,
});
const beat = (instanceId: string, lastSeenAt: number): InstanceHeartbeat => ({
  instanceId,
  namespace: 'ns',
  version: '1.0.0',
  startedAt: new Date(0).toISOString(),
  lastSeenAt: new Date(lastSeenAt).toISOString(),
  intervalMs: 100,
  breakers: { l2: 'closed' },
  bus: 'connected',
  l1: { entries: 4, bytes: 100 },
  hitRatios: { overall: 0.4 },
  stats: stats(),
});

describe('resolveFleetOptions', () => {
  it('defaults to a 10 s interval, gone after three intervals, forgotten after an hour', () => {
    expect(resolveFleetOptions()).toEqual({ intervalMs: 10_000, goneAfterMs: 30_000, forgetAfterMs: 3_600_000 });
    expect(resolveFleetOptions({ interval: '2h' })).toEqual({ intervalMs: 7_200_000, goneAfterMs: 21_600_000, forgetAfterMs: 21_600_000 });
    expect(resolveFleetOptions({ interval: 50, goneAfter: '200ms', forgetAfter: '1s' })).toEqual({ intervalMs: 50, goneAfterMs: 200, forgetAfterMs: 1_000 });
  });

  it.each([
    [{ interval: 'soon' }, 'fleet.interval'],
    [{ interval: 5 }, 'fleet.interval'],
    [{ interval: -1 }, 'fleet.interval'],
    [{ interval: '1s', goneAfter: '1s' }, 'fleet.goneAfter'],
    [{ goneAfter: 'x' }, 'fleet.goneAfter'],
    [{ interval: '1s', goneAfter: '5s', forgetAfter: '4s' }, 'fleet.forgetAfter'],
    [{ forgetAfter: Number.NaN }, 'fleet.forgetAfter'],
  ])('refuses %j, naming %s', (options, name) => {
    const attempt = () => resolveFleetOptions(options);
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow(`'${name}'`);
  });
});

describe('instanceStatus', () => {
  const options = { goneAfterMs: 300, forgetAfterMs: 1_000 };
  it('is up within goneAfter, gone after it, unlisted after forgetAfter', () => {
    expect(instanceStatus(10_000, 10_000, options)).toBe('up');
    expect(instanceStatus(10_000, 10_300, options)).toBe('up');
    expect(instanceStatus(10_000, 10_301, options)).toBe('gone');
    expect(instanceStatus(10_000, 11_000, options)).toBe('gone');
    expect(instanceStatus(10_000, 11_001, options)).toBeUndefined();
  });

  it('counts a heartbeat from a clock slightly ahead as just now', () => {
    expect(instanceStatus(10_050, 10_000, options)).toBe('up');
  });
});

describe('fleetInstances', () => {
  it('lists up instances first, then gone ones, drops forgotten and unreadable ones, and marks itself', () => {
    const now = 50_000;
    const options = resolveFleetOptions({ interval: 100, goneAfter: 300, forgetAfter: 1_000 });
    const { view, stats: byId } = fleetInstances(
      [beat('c', now - 500), beat('b', now - 10), beat('a', now - 2_000), beat('self', now), { ...beat('bad', now), lastSeenAt: 'never' }],
      { now, selfId: 'self', namespace: 'ns', source: 'redis', options },
    );
    expect(view.instances.map((row) => [row.instanceId, row.status, row.self, row.silentForMs])).toEqual([
      ['b', 'up', false, 10],
      ['self', 'up', true, 0],
      ['c', 'gone', false, 500],
    ]);
    expect(view.counts).toEqual({ total: 3, up: 2, gone: 1 });
    expect(view.instances[0]).not.toHaveProperty('stats');
    expect([...byId.keys()].sort()).toEqual(['b', 'c', 'self']);
  });
});

describe('fleetTotals', () => {
  it('sums the counters and recomputes the ratios over the sums', () => {
    // Each: 10 reads, 4 hits (3 in L1, 1 in L2).
    const total = fleetTotals([stats(), stats({ invalidations: { app: 1, admin: 5 } })]);
    expect(total).toMatchObject({ reads: 20, hits: 8, hitRatio: 0.4, loaderCalls: 12, invalidations: { app: 3, admin: 5 }, l1: { entries: 8, bytes: 200 } });
    expect(total.tiers.l1).toMatchObject({ hits: 6, misses: 14, hitRatio: 0.3 });
    expect(total.tiers.l2).toMatchObject({ hits: 2, misses: 12, writes: 2, hitRatio: 2 / 14 });
    expect(fleetTotals([]).hitRatio).toBe(0);
  });
});

describe('heartbeat payload', () => {
  it('reads back what was stored, and ignores what is not a heartbeat', () => {
    const stored = beat('x', 1_000);
    expect(parseHeartbeat(JSON.stringify(stored))).toEqual(stored);
    expect(parseHeartbeat(null)).toBeUndefined();
    expect(parseHeartbeat('{')).toBeUndefined();
    expect(parseHeartbeat('{"instanceId":1}')).toBeUndefined();
  });

  it('names the version of the package', async () => {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(manifest.name).toBe('@tiered-cache/nestjs');
    expect(libraryVersion()).toBe(manifest.version);
  });
});
