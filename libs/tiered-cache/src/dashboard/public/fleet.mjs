// @ts-check
import { h } from './dom.mjs';
import { bytes, count, dateTime, millis, percent, relative } from './format.mjs';
import { badge, card, circuitBadge, figure, load, table } from './ui.mjs';

/**
 * @typedef {'l1' | 'l2' | 'l3'} TierName
 * @typedef {{ instanceId: string, version: string, startedAt: string, lastSeenAt: string, status: 'up' | 'gone', silentForMs: number, self: boolean,
 *   breakers: Partial<Record<TierName, string>>, bus: string, l1: { entries: number, bytes: number },
 *   hitRatios: { overall: number } & Partial<Record<TierName, number>> }} Instance
 * @typedef {{ reads: number, hitRatio: number, loaderCalls: number, staleServed: number, l1: { entries: number, bytes: number } }} Totals
 * @typedef {{ namespace: string, source: 'redis' | 'postgres' | 'local', intervalMs: number, goneAfterMs: number, error?: string,
 *   counts: { total: number, up: number, gone: number }, instances: Instance[], total: Totals }} Fleet
 */

const TIERS = /** @type {TierName[]} */ (['l1', 'l2', 'l3']);

/**
 * The fleet tab: every instance of the namespace, from `GET /fleet` (the heartbeats instances
 * write), and the counters summed over those up.
 * @param {import('./ui.mjs').Context} ctx
 */
export function createFleet(ctx) {
  const instances = card('Instances', {
    description: 'Every instance of this namespace, from the heartbeats they publish. One silent for longer than the bound is marked gone; actions on this page are applied on every instance.',
  });
  instances.element.dataset.card = 'fleet';

  /** @param {Fleet} fleet */
  function render(fleet) {
    return [
      fleet.error ? h('div', { class: 'error', role: 'alert' }, fleet.error) : null,
      h(
        'div',
        { class: 'cards' },
        figure('Instances up', count(fleet.counts.up), 'fleet.up', `of ${count(fleet.counts.total)} listed`),
        figure('Gone', count(fleet.counts.gone), 'fleet.gone', `silent over ${millis(fleet.goneAfterMs)}`),
        figure('Fleet hit ratio', percent(fleet.total.hitRatio), 'fleet.hitRatio', `${count(fleet.total.reads)} reads on the instances up`),
        figure('Fleet L1', bytes(fleet.total.l1.bytes), 'fleet.l1', `${count(fleet.total.l1.entries)} entries`),
      ),
      table(
        [
          { label: 'Instance', cell: (row) => [h('code', {}, row.instanceId), row.self ? badge('this one', 'info') : null] },
          { label: 'Status', cell: (row) => (row.status === 'up' ? badge('up', 'ok') : badge('gone', 'bad')) },
          { label: 'Version', cell: (row) => row.version },
          { label: 'Started', className: 'nowrap', cell: (row) => h('span', { title: dateTime(row.startedAt) }, relative(row.startedAt)) },
          { label: 'Last seen', className: 'nowrap', cell: (row) => h('span', { title: dateTime(row.lastSeenAt) }, relative(row.lastSeenAt)) },
          { label: 'Breakers', cell: (row) => TIERS.filter((tier) => row.breakers[tier]).map((tier) => h('span', { class: 'nowrap' }, `${tier.toUpperCase()} `, circuitBadge(String(row.breakers[tier])), ' ')) },
          { label: 'Bus', cell: (row) => badge(row.bus, row.bus === 'connected' ? 'ok' : row.bus === 'disabled' ? 'muted' : 'bad') },
          { label: 'L1', className: 'num', cell: (row) => `${count(row.l1.entries)} · ${bytes(row.l1.bytes)}` },
          {
            label: 'Hit ratio',
            className: 'num',
            cell: (row) => h('span', { title: TIERS.filter((tier) => row.hitRatios[tier] !== undefined).map((tier) => `${tier.toUpperCase()} ${percent(row.hitRatios[tier])}`).join(', ') }, percent(row.hitRatios.overall)),
          },
        ],
        fleet.instances,
        { empty: 'No instance has written a heartbeat yet.', className: 'fleet', rowAttrs: (row) => ({ 'data-instance': row.instanceId, 'data-status': row.status }) },
      ),
      fleet.source === 'local' ? h('p', { class: 'muted small' }, fleet.error ? 'Only this instance is shown.' : 'Only this instance is shown: the cache has neither Redis nor PostgreSQL to share heartbeats through.') : null,
    ];
  }

  const element = h('div', { class: 'tab-panel', id: 'panel-fleet' }, instances.element);
  return {
    element,
    async load() {
      await load(instances, () => ctx.api.get('/fleet'), render);
    },
  };
}
