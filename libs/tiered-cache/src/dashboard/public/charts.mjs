// @ts-check
/* global ResizeObserver */
import { h, replace, s } from './dom.mjs';
import { clock } from './format.mjs';

/**
 * Time-series charts in plain SVG: axes, grid, one path per series (gaps where a sample has no
 * value) or bars, and a read-out that follows the pointer. Drawn at the element's real width and
 * redrawn when it changes, so text stays legible from phone to desktop.
 */

/**
 * @typedef {object} Series
 * @property {string} label
 * @property {string} key      CSS class giving its colour: l1, l2, l3, all, inv
 * @property {(number | null)[]} values   one per time, `null` where there was nothing to measure
 */

/**
 * @typedef {object} ChartSpec
 * @property {number[]} times    sample times (ms), ascending
 * @property {Series[]} series
 * @property {number} from       left edge of the time axis (ms)
 * @property {number} to         right edge (ms)
 * @property {'line' | 'bar'} kind
 * @property {(value: number) => string} format
 * @property {number} [yMax]     fixed top of the axis (ratios: 1); otherwise from the data
 * @property {string} empty      shown when there is no sample yet
 */

/**
 * "3 Dec": the label of a tick a day or more apart.
 * @param {number} time
 */
function dayLabel(time) {
  return new Date(time).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
}

const MARGIN = { top: 12, right: 14, bottom: 26, left: 54 };

/**
 * A "nice" step (1, 2, 2.5 or 5 × 10^n) that cuts `max` into about `count` parts.
 * @param {number} max
 * @param {number} count
 */
export function niceStep(max, count) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
}

// Up to a week, for the day- and month-long ranges of the trends tab.
const TIME_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((seconds) => seconds * 1000);
const DAY = 86_400_000;

/**
 * The smallest clock-aligned step that puts at most `most` ticks on the time axis.
 * @param {number} span ms
 * @param {number} most
 */
export function tickStep(span, most) {
  return TIME_STEPS.find((step) => span / step <= most) ?? /** @type {number} */ (TIME_STEPS[TIME_STEPS.length - 1]);
}

/**
 * @param {ChartSpec} spec
 * @returns {{ top: number, step: number }}
 */
function yAxis(spec) {
  if (spec.yMax !== undefined) return { top: spec.yMax, step: spec.yMax / 4 };
  let max = 0;
  for (const series of spec.series) for (const value of series.values) if (value !== null && value > max) max = value;
  if (max <= 0) return { top: 1, step: 0.25 };
  const step = niceStep(max, 4);
  return { top: Math.ceil(max / step) * step, step };
}

/**
 * The last value that is not `null`.
 * @param {(number | null)[]} values
 */
function latest(values) {
  for (let index = values.length - 1; index >= 0; index--) {
    const value = values[index];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}

/**
 * Index of the sample nearest to `time`.
 * @param {number[]} times
 * @param {number} time
 */
function nearest(times, time) {
  let low = 0;
  let high = times.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (/** @type {number} */ (times[middle]) < time) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && Math.abs(/** @type {number} */ (times[low - 1]) - time) <= Math.abs(/** @type {number} */ (times[low]) - time)) return low - 1;
  return low;
}

/**
 * A chart that keeps its element and is redrawn by `update(spec)`.
 * @param {string} label  accessible name
 */
export function createChart(label) {
  const svgHost = h('div', { class: 'chart-plot' });
  const readout = h('div', { class: 'chart-readout', 'aria-hidden': 'true' });
  const element = h('div', { class: 'chart' }, readout, svgHost);
  /** @type {ChartSpec | undefined} */
  let current;
  let width = 0;

  /**
   * Values at the sample under the pointer; without one, each series' latest value.
   * @param {number | undefined} index
   */
  function showReadout(index) {
    const spec = current;
    if (!spec) return;
    const time = spec.times[index ?? spec.times.length - 1];
    if (time === undefined) {
      replace(readout);
      return;
    }
    replace(
      readout,
      h('span', { class: 'readout-time' }, index === undefined ? 'latest' : clock(time)),
      spec.series.map((series) => {
        const value = index === undefined ? latest(series.values) : series.values[index];
        return h('span', { class: 'readout-item' }, h('i', { class: `swatch ${series.key}` }), `${series.label} `, h('b', {}, value === null || value === undefined ? '—' : spec.format(value)));
      }),
    );
  }

  function draw() {
    if (!current || width <= 0) return;
    const spec = current;
    const height = width < 480 ? 170 : 200;
    const plotWidth = Math.max(10, width - MARGIN.left - MARGIN.right);
    const plotHeight = height - MARGIN.top - MARGIN.bottom;
    const { top, step } = yAxis(spec);
    const span = Math.max(1, spec.to - spec.from);
    /** @param {number} time */
    const x = (time) => MARGIN.left + ((time - spec.from) / span) * plotWidth;
    /** @param {number} value */
    const y = (value) => MARGIN.top + plotHeight - (Math.min(value, top) / top) * plotHeight;

    const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart-svg' });
    const grid = s('g', { class: 'grid' });
    for (let value = 0; value <= top + step / 2; value += step) {
      grid.append(
        s('line', { x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: y(value), y2: y(value) }),
        s('text', { x: MARGIN.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, spec.format(value)),
      );
    }
    const timeStep = tickStep(span, Math.max(2, Math.floor(plotWidth / 90)));
    const offset = new Date(spec.from).getTimezoneOffset() * 60_000;
    for (let tick = Math.ceil((spec.from - offset) / timeStep) * timeStep + offset; tick <= spec.to; tick += timeStep) {
      grid.append(
        s('line', { class: 'vertical', x1: x(tick), x2: x(tick), y1: MARGIN.top, y2: MARGIN.top + plotHeight }),
        s('text', { x: x(tick), y: height - 8, 'text-anchor': 'middle' }, timeStep >= DAY ? dayLabel(tick) : timeStep < 60_000 ? clock(tick) : clock(tick).slice(0, 5)),
      );
    }
    svg.append(grid, s('line', { class: 'axis', x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: y(0), y2: y(0) }));

    if (spec.times.length === 0) {
      svg.append(s('text', { class: 'chart-empty', x: MARGIN.left + plotWidth / 2, y: MARGIN.top + plotHeight / 2, 'text-anchor': 'middle' }, spec.empty));
    } else if (spec.kind === 'bar') {
      const gap = spec.times.length > 1 ? (/** @type {number} */ (spec.times[spec.times.length - 1]) - /** @type {number} */ (spec.times[0])) / (spec.times.length - 1) : span / 360;
      const barWidth = Math.max(1, (gap / span) * plotWidth * 0.8);
      spec.series.forEach((series) => {
        const bars = s('g', { class: `bars ${series.key}` });
        series.values.forEach((value, index) => {
          if (value === null || value <= 0) return;
          const time = /** @type {number} */ (spec.times[index]);
          bars.append(s('rect', { x: x(time) - barWidth, y: y(value), width: barWidth, height: Math.max(1, y(0) - y(value)) }));
        });
        svg.append(bars);
      });
    } else {
      for (const series of spec.series) {
        let path = '';
        let open = false;
        const dots = s('g', { class: `dots ${series.key}` });
        series.values.forEach((value, index) => {
          if (value === null) {
            open = false;
            return;
          }
          const px = x(/** @type {number} */ (spec.times[index])).toFixed(1);
          const py = y(value).toFixed(1);
          const alone = !open && (series.values[index + 1] ?? null) === null;
          if (alone) dots.append(s('circle', { cx: px, cy: py, r: 2.5 }));
          path += `${open ? 'L' : 'M'}${px},${py}`;
          open = true;
        });
        svg.append(s('path', { class: `line ${series.key}`, d: path || 'M0,0' }), dots);
      }
    }

    const guide = s('line', { class: 'guide', x1: 0, x2: 0, y1: MARGIN.top, y2: MARGIN.top + plotHeight, visibility: 'hidden' });
    svg.append(guide);
    svg.addEventListener('pointermove', (event) => {
      if (spec.times.length === 0) return;
      const box = svg.getBoundingClientRect();
      const time = spec.from + ((event.clientX - box.left - MARGIN.left) / plotWidth) * span;
      const index = nearest(spec.times, time);
      const gx = x(/** @type {number} */ (spec.times[index]));
      guide.setAttribute('x1', String(gx));
      guide.setAttribute('x2', String(gx));
      guide.setAttribute('visibility', 'visible');
      showReadout(index);
    });
    svg.addEventListener('pointerleave', () => {
      guide.setAttribute('visibility', 'hidden');
      showReadout(undefined);
    });
    replace(svgHost, svg);
    showReadout(undefined);
  }

  const observer = new ResizeObserver((entries) => {
    const next = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (next !== width) {
      width = next;
      draw();
    }
  });
  observer.observe(svgHost);

  return {
    element,
    /** @param {ChartSpec} spec */
    update(spec) {
      current = spec;
      if (width <= 0) width = Math.floor(svgHost.clientWidth);
      draw();
    },
  };
}
