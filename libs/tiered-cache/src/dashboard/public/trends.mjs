// @ts-check
import { createChart } from './charts.mjs';
import { h, replace } from './dom.mjs';
import { bytes, count, millis, percent } from './format.mjs';
import { card, errorBox, load, table } from './ui.mjs';

/**
 * @typedef {'1h' | '24h' | '7d' | '30d'} Range
 * @typedef {{ at: string, instances: number, reads: number, hits: number, l1Hits: number, l2Hits: number, l3Hits: number, errors: number,
 *   loads: number, loadMsMean: number | null, bytesWritten: number, hitRatio: number | null }} Point
 * @typedef {{ range: Range, resolution: 'minute' | 'hour', stepMs: number, from: string, to: string, points: Point[] }} Series
 * @typedef {'hitRatio' | 'loadMs' | 'bytes' | 'reads'} GroupSort
 * @typedef {{ group: string, reads: number, hits: number, hitRatio: number | null, loads: number, loadErrors: number, loadMsMean: number | null,
 *   loadMsMax: number, writes: number, bytesWritten: number }} GroupRow
 * @typedef {{ by: 'prefix' | 'tag', sort: GroupSort, order: 'asc' | 'desc', instances: number, groups: GroupRow[] }} Groups
 */

const RANGES = /** @type {Range[]} */ (['1h', '24h', '7d', '30d']);
const TIERS = /** @type {const} */ (['l1', 'l2', 'l3']);
const TIER_HITS = /** @type {const} */ ({ l1: 'l1Hits', l2: 'l2Hits', l3: 'l3Hits' });

/**
 * The trends tab: the fleet's hit ratio and throughput over 1 h to 30 d from `GET /trends`, and
 * reads, hit ratio, load time and bytes per key prefix or tag from `GET /groups`, sortable.
 * @param {import('./ui.mjs').Context} ctx
 */
export function createTrends(ctx) {
  /** @type {Range} */
  let range = '1h';
  /** @type {{ by: 'prefix' | 'tag', sort: GroupSort, order: 'asc' | 'desc' }} */
  const groupQuery = { by: 'prefix', sort: 'reads', order: 'desc' };

  const rangeButtons = RANGES.map((value) =>
    h('button', { type: 'button', class: 'range-button', 'data-range': value, 'aria-pressed': String(value === range), onclick: () => pickRange(value) }, value),
  );
  const picker = h('div', { class: 'range-picker', role: 'group', 'aria-label': 'Time range' }, rangeButtons);
  const note = h('p', { class: 'card-description' });
  const status = h('div', { class: 'card-status', role: 'status' });
  const charts = { ratio: createChart('Fleet hit ratio over the range'), throughput: createChart('Fleet reads per minute over the range') };
  const chartCard = (/** @type {string} */ title, /** @type {string} */ description, /** @type {{ element: HTMLElement }} */ chart) => {
    const { element, body } = card(title, { className: 'chart-card', description });
    body.append(chart.element);
    return element;
  };

  const bySelect = h(
    'select',
    { id: 'groups-by', 'aria-label': 'Group keys by', onchange: () => ((groupQuery.by = /** @type {'prefix' | 'tag'} */ (bySelect.value)), void loadGroups()) },
    h('option', { value: 'prefix' }, 'Key prefix'),
    h('option', { value: 'tag' }, 'Tag'),
  );
  const groups = card('Key groups', {
    description: 'Summed over the instances up, each counting since it started. Click a column to sort.',
    actions: [h('label', { for: 'groups-by', class: 'small' }, 'Group by '), bySelect],
  });
  groups.element.dataset.card = 'groups';

  const element = h(
    'div',
    { class: 'tab-panel', id: 'panel-trends' },
    h('div', { class: 'section-head' }, h('h2', {}, 'Fleet trends'), picker),
    note,
    status,
    h(
      'div',
      { class: 'charts trends-charts' },
      chartCard('Hit ratio', 'Reads answered by a tier, over all reads of every instance, per point.', charts.ratio),
      chartCard('Throughput', 'Reads per minute, summed over the instances.', charts.throughput),
    ),
    groups.element,
  );

  /** @param {Range} value */
  function pickRange(value) {
    range = value;
    for (const button of rangeButtons) button.setAttribute('aria-pressed', String(button.dataset.range === value));
    void loadSeries();
  }

  async function loadSeries() {
    try {
      /** @type {Series} */
      const series = await ctx.api.get(`/trends?range=${range}`);
      renderSeries(series);
      replace(status);
    } catch (error) {
      replace(status, errorBox(error));
    }
  }

  /** @param {Series} series */
  function renderSeries(series) {
    const points = series.points;
    const times = points.map((point) => new Date(point.at).getTime());
    const from = new Date(series.from).getTime();
    const to = new Date(series.to).getTime();
    const perMinute = series.stepMs / 60_000;
    const reads = points.reduce((sum, point) => sum + point.reads, 0);
    const hits = points.reduce((sum, point) => sum + point.hits, 0);
    const instances = Math.max(0, ...points.map((point) => point.instances));
    replace(
      note,
      `One point ${series.resolution === 'hour' ? 'an hour' : 'a minute'}, from PostgreSQL. ${count(reads)} reads, ${reads > 0 ? percent(hits / reads) : '—'} answered by a tier; up to ${count(instances)} instance${instances === 1 ? '' : 's'} a point.`,
    );
    const empty = 'No data for this range yet: instances write their minutes every few seconds';
    charts.ratio.update({
      kind: 'line',
      times,
      from,
      to,
      yMax: 1,
      format: (value) => `${Math.round(value * 100)} %`,
      empty,
      series: [
        ...TIERS.map((tier) => ({ label: `${tier.toUpperCase()} share`, key: tier, values: points.map((point) => (point.reads > 0 ? point[TIER_HITS[tier]] / point.reads : null)) })),
        { label: 'Overall', key: 'all', values: points.map((point) => point.hitRatio) },
      ],
    });
    charts.throughput.update({
      kind: 'bar',
      times,
      from,
      to,
      format: (value) => (value >= 10 ? count(Math.round(value)) : String(Number(value.toFixed(2)))),
      empty,
      series: [{ label: 'Reads / min', key: 'all', values: points.map((point) => point.reads / perMinute) }],
    });
  }

  /** @param {GroupSort} sort */
  function sortBy(sort) {
    groupQuery.order = groupQuery.sort === sort && groupQuery.order === 'desc' ? 'asc' : 'desc';
    groupQuery.sort = sort;
    void loadGroups();
  }

  /**
   * A column heading that sorts the table, showing the current order.
   * @param {string} label
   * @param {GroupSort} sort
   */
  function sortHeader(label, sort) {
    const active = groupQuery.sort === sort;
    return h('button', { type: 'button', class: `sort-button${active ? ' active' : ''}`, 'data-sort': sort, 'aria-label': `Sort by ${label}`, onclick: () => sortBy(sort) }, label, active ? (groupQuery.order === 'desc' ? ' ▼' : ' ▲') : '');
  }

  /** @param {Groups} report */
  function renderGroups(report) {
    return [
      table(
        [
          { label: report.by === 'tag' ? 'Tag' : 'Prefix', cell: (row) => h('code', {}, row.group) },
          { label: 'Reads', className: 'num', head: sortHeader('Reads', 'reads'), cell: (row) => count(row.reads) },
          { label: 'Hit ratio', className: 'num', head: sortHeader('Hit ratio', 'hitRatio'), cell: (row) => (row.hitRatio === null ? '—' : percent(row.hitRatio)) },
          { label: 'Loads', className: 'num', cell: (row) => `${count(row.loads)}${row.loadErrors ? ` (${count(row.loadErrors)} failed)` : ''}` },
          { label: 'Load time', className: 'num', head: sortHeader('Load time', 'loadMs'), cell: (row) => (row.loadMsMean === null ? '—' : h('span', { title: `longest ${millis(row.loadMsMax)}` }, millis(row.loadMsMean))) },
          { label: 'Written', className: 'num', head: sortHeader('Written', 'bytes'), cell: (row) => `${bytes(row.bytesWritten)} · ${count(row.writes)}` },
        ],
        report.groups,
        { empty: 'No reads or writes counted yet.', className: 'groups', rowAttrs: (row) => ({ 'data-group': row.group }) },
      ),
      h('p', { class: 'muted small' }, `${count(report.instances)} instance${report.instances === 1 ? '' : 's'} summed.`),
    ];
  }

  async function loadGroups() {
    const { by, sort, order } = groupQuery;
    await load(groups, () => ctx.api.get(`/groups?by=${by}&sort=${sort}&order=${order}`), renderGroups);
  }

  return {
    element,
    async load() {
      await Promise.all([loadSeries(), loadGroups()]);
    },
  };
}
