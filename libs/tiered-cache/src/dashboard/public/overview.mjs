// @ts-check
import { createChart } from './charts.mjs';
import { h, replace } from './dom.mjs';
import { bytes, count, millis, percent } from './format.mjs';
import { badge, card, circuitBadge, errorBox, figure } from './ui.mjs';
import { writeBehindCard } from './write-behind-card.mjs';

/** @typedef {'l1' | 'l2' | 'l3'} TierName */
const TIERS = /** @type {TierName[]} */ (['l1', 'l2', 'l3']);
const TIER_LABELS = { l1: 'L1 memory', l2: 'L2 Redis', l3: 'L3 PostgreSQL' };
const HOUR = 3_600_000;
/** @type {Record<string, string>} */
const SOURCE_LABELS = { app: 'by the app', db: 'by database triggers', admin: 'by operators', bus: 'over the bus' };

/**
 * @typedef {{ p50: number | null, p99: number | null, samples: number }} Latency
 * @typedef {{ hits: number, misses: number, errors: number, writes: number, hitRatio: number, circuit: string, latencyMs: null | { get: Latency, set: Latency } }} TierStats
 * @typedef {{ namespace: string, generatedAt: string, hitRatio: number, loaderCalls: number, coalescedCalls: number, staleServed: number,
 *   refreshes: number, invalidations: Record<string, number>, l1: { entries: number, bytes: number }, bus: string,
 *   writeBehind?: import('./write-behind-card.mjs').WriteBehindField,
 *   tiers: Partial<Record<TierName, TierStats>>, l3: null | { rows: number, bytes: number, expiredRows: number, tableRows: number } | { error: string } }} Stats
 * @typedef {{ hitRatio: number | null, reads: number, p99Ms: { get: number | null, set: number | null }, circuit: string }} TierSample
 * @typedef {{ at: string, hitRatio: number | null, reads: number, invalidationsPerMinute: number, invalidations: number, tiers: Partial<Record<TierName, TierSample>> }} Sample
 * @typedef {{ enabled: boolean, intervalMs: number, retentionMs: number, samples: Sample[] }} Timeseries
 */

/**
 * The overview tab: key figures from `GET /stats`, charts of `GET /timeseries`.
 * @param {import('./ui.mjs').Context} ctx
 * @param {(stats: Stats) => void} onStats  tells the shell the namespace and bus state
 */
export function createOverview(ctx, onStats) {
  const cards = h('div', { class: 'cards', 'aria-label': 'Key figures' });
  const cardsStatus = h('div', { class: 'card-status', role: 'status' });
  const charts = {
    ratio: createChart('Hit ratio per tier and overall, last hour'),
    latency: createChart('p99 read latency per remote tier, last hour'),
    invalidations: createChart('Invalidations per minute, last hour'),
  };
  const chartsTitle = h('h2', {}, 'Last hour');
  const chartsNote = h('p', { class: 'card-description' });
  const chartsStatus = h('div', { class: 'card-status', role: 'status' });
  const chartCards = [
    chartCard('Hit ratio', 'Share of reads answered, per interval. A tier\'s ratio counts the lookups that reached it.', charts.ratio),
    chartCard('p99 read latency', '99th percentile of get calls to the remote tiers (L1 is an in-process map and is not timed).', charts.latency),
    chartCard('Invalidations per minute', 'Tag invalidations applied on this instance, local and received over the bus.', charts.invalidations),
  ];
  const element = h(
    'div',
    { class: 'tab-panel', id: 'panel-overview' },
    cardsStatus,
    cards,
    h('div', { class: 'section-head' }, chartsTitle, chartsNote),
    chartsStatus,
    h('div', { class: 'charts' }, chartCards),
  );
  replace(cards, h('div', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading…'));

  async function loadStats() {
    try {
      /** @type {Stats} */
      const stats = await ctx.api.get('/stats');
      replace(cards, renderCards(stats));
      replace(cardsStatus);
      cards.classList.remove('is-stale');
      onStats(stats);
    } catch (error) {
      if (cards.querySelector('.loading')) replace(cards);
      else cards.classList.add('is-stale');
      replace(cardsStatus, errorBox(error));
    }
  }

  async function loadSeries() {
    try {
      /** @type {Timeseries} */
      const series = await ctx.api.get('/timeseries');
      renderCharts(series);
      replace(chartsStatus);
    } catch (error) {
      replace(chartsStatus, errorBox(error));
    }
  }

  /** @param {Timeseries} series */
  function renderCharts(series) {
    const samples = series.samples;
    const times = samples.map((sample) => new Date(sample.at).getTime());
    const to = Math.max(Date.now(), times[times.length - 1] ?? 0);
    const every = series.intervalMs < 1000 ? `${series.intervalMs} ms` : `${Math.round(series.intervalMs / 100) / 10} s`;
    const empty = `Collecting: the first sample comes ${every} after start-up`;
    const span = Math.min(HOUR, series.retentionMs);
    chartsTitle.textContent = span >= HOUR ? 'Last hour' : span >= 60_000 ? `Last ${Math.round(span / 60_000)} min` : `Last ${Math.round(span / 1000)} s`;
    const from = to - span;
    replace(chartsNote, `One sample every ${every} on this instance; ${samples.length} held.`);
    const present = TIERS.filter((tier) => samples.some((sample) => sample.tiers[tier]));
    charts.ratio.update({
      kind: 'line',
      times,
      from,
      to,
      yMax: 1,
      format: (value) => `${Math.round(value * 100)} %`,
      empty,
      series: [
        ...present.map((tier) => ({ label: tier.toUpperCase(), key: tier, values: samples.map((sample) => sample.tiers[tier]?.hitRatio ?? null) })),
        { label: 'Overall', key: 'all', values: samples.map((sample) => sample.hitRatio) },
      ],
    });
    charts.latency.update({
      kind: 'line',
      times,
      from,
      to,
      format: millis,
      empty,
      series: present
        .filter((tier) => tier !== 'l1')
        .map((tier) => ({ label: tier.toUpperCase(), key: tier, values: samples.map((sample) => sample.tiers[tier]?.p99Ms.get ?? null) })),
    });
    charts.invalidations.update({
      kind: 'bar',
      times,
      from,
      to,
      format: (value) => (value >= 10 ? value.toFixed(0) : String(Number(value.toFixed(2)))),
      empty,
      series: [{ label: 'Per minute', key: 'inv', values: samples.map((sample) => sample.invalidationsPerMinute) }],
    });
  }

  return {
    element,
    async load() {
      await Promise.all([loadStats(), loadSeries()]);
    },
  };
}

/**
 * @param {string} title
 * @param {string} description
 * @param {{ element: HTMLElement }} chart
 */
function chartCard(title, description, chart) {
  const { element, body } = card(title, { className: 'chart-card', description });
  body.append(chart.element);
  return element;
}

/** @param {Stats} stats */
function renderCards(stats) {
  const tiers = TIERS.filter((tier) => stats.tiers[tier]);
  const l3 = stats.l3 && 'rows' in stats.l3 ? stats.l3 : null;
  const l3Error = stats.l3 && 'error' in stats.l3 ? stats.l3.error : null;
  const invalidations = Object.entries(stats.invalidations);
  const invalidationTotal = invalidations.reduce((sum, [, value]) => sum + value, 0);

  const ratio = card('Hit ratio', { className: 'span-2' });
  ratio.body.append(
    h('div', { class: 'big', 'data-metric': 'hitRatio' }, percent(stats.hitRatio)),
    h('p', { class: 'muted small' }, 'overall, since this instance started'),
    h(
      'div',
      { class: 'ratio-bars' },
      tiers.map((tier) => {
        const t = /** @type {TierStats} */ (stats.tiers[tier]);
        const bar = h('span', { class: `bar-fill ${tier}` });
        bar.style.width = `${Math.max(0, Math.min(1, t.hitRatio)) * 100}%`;
        return h(
          'div',
          { class: 'ratio-row', 'data-metric': `${tier}.hitRatio` },
          h('span', { class: 'ratio-name' }, tier.toUpperCase()),
          h('span', { class: 'bar' }, bar),
          h('span', { class: 'ratio-value' }, percent(t.hitRatio)),
          h('span', { class: 'ratio-detail' }, `${count(t.hits)} hits · ${count(t.misses)} misses${t.errors ? ` · ${count(t.errors)} errors` : ''}`),
        );
      }),
    ),
  );

  const size = card('Size');
  size.body.append(
    h(
      'div',
      { class: 'figures' },
      figure('L1 entries', count(stats.l1.entries), 'l1.entries'),
      figure('L1 bytes', bytes(stats.l1.bytes), 'l1.bytes'),
      figure('L3 rows', l3 ? count(l3.rows) : '—', 'l3.rows', l3 ? `${count(l3.expiredRows)} expired` : (l3Error ?? 'no L3 tier')),
      figure('L3 bytes', l3 ? bytes(l3.bytes) : '—', 'l3.bytes', l3 ? `table: ${count(l3.tableRows)} rows` : undefined),
    ),
  );

  const loader = card('Loads');
  loader.body.append(
    h(
      'div',
      { class: 'figures' },
      figure('Loader calls', count(stats.loaderCalls), 'loaderCalls', 'reads that went to the source'),
      figure('Stale served', count(stats.staleServed), 'staleServed', 'under grace, on errors'),
      figure('Coalesced', count(stats.coalescedCalls), 'coalescedCalls', 'waited for a running load'),
      figure('Refresh-ahead', count(stats.refreshes), 'refreshes', 'background reloads'),
    ),
  );

  const invalidated = card('Invalidations');
  invalidated.body.append(
    h('div', { class: 'figures' }, figure('Since start', count(invalidationTotal), 'invalidations', 'invalidateTags calls on this instance')),
    invalidations.length === 0
      ? h('p', { class: 'empty' }, 'None yet.')
      : h(
          'ul',
          { class: 'states sources' },
          invalidations
            .sort(([, a], [, b]) => b - a)
            .map(([source, value]) => h('li', { 'data-metric': `invalidations.${source}` }, h('span', {}, SOURCE_LABELS[source] ?? source), h('b', {}, count(value)))),
        ),
  );

  const health = card('Breakers and bus');
  health.body.append(
    h(
      'ul',
      { class: 'states' },
      tiers.map((tier) => h('li', { 'data-metric': `${tier}.circuit` }, h('span', {}, TIER_LABELS[tier]), circuitBadge(/** @type {TierStats} */ (stats.tiers[tier]).circuit))),
      h('li', { 'data-metric': 'bus' }, h('span', {}, 'Invalidation bus'), badge(stats.bus, stats.bus === 'connected' ? 'ok' : stats.bus === 'disabled' ? 'muted' : 'bad')),
    ),
  );

  const latency = card('Latency (get)', { className: 'span-2' });
  const remotes = tiers.filter((tier) => tier !== 'l1');
  latency.body.append(
    remotes.length === 0
      ? h('p', { class: 'empty' }, 'No remote tier.')
      : h(
          'div',
          { class: 'figures wide' },
          remotes.flatMap((tier) => {
            const get = /** @type {TierStats} */ (stats.tiers[tier]).latencyMs?.get;
            return [figure(`${tier.toUpperCase()} p50`, millis(get?.p50), `${tier}.p50`), figure(`${tier.toUpperCase()} p99`, millis(get?.p99), `${tier}.p99`, `last ${count(get?.samples ?? 0)} calls`)];
          }),
        ),
  );

  return [ratio.element, size.element, loader.element, health.element, latency.element, invalidated.element, writeBehindCard(stats.writeBehind)];
}
