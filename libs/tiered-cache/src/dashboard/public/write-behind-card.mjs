// @ts-check
import { h } from './dom.mjs';
import { count } from './format.mjs';
import { badge, card, figure } from './ui.mjs';

/**
 * @typedef {{ queue: string, backlog: number, lagSeconds: number, lagMaxSeconds: number,
 *   flusher?: { flushedWrites: number, batches: number, errors: number } }} WriteBehindStatus
 * @typedef {null | undefined | WriteBehindStatus | { error: string }} WriteBehindField
 */

/**
 * The write-behind card of the overview (`stats.writeBehind`): backlog, lag against its bound, and
 * this instance's flusher. `null` when the app has no write-behind queue.
 * @param {WriteBehindField} status
 * @returns {HTMLElement | null}
 */
export function writeBehindCard(status) {
  if (!status) return null;
  const view = card('Write-behind', { description: 'Writes acknowledged and not yet flushed to the database.' });
  if ('error' in status) {
    view.body.append(h('ul', { class: 'states' }, h('li', { 'data-metric': 'writeBehind.state' }, h('span', {}, 'Queue'), badge('unreadable', 'bad'))), h('p', { class: 'muted small' }, status.error));
    return view.element;
  }
  const lagging = status.lagSeconds > status.lagMaxSeconds;
  const flusher = status.flusher;
  view.body.append(
    h('ul', { class: 'states' }, h('li', { 'data-metric': 'writeBehind.state' }, h('span', {}, status.queue), badge(lagging ? 'lagging' : 'ok', lagging ? 'bad' : 'ok'))),
    h(
      'div',
      { class: 'figures' },
      figure('Backlog', count(status.backlog), 'writeBehind.backlog', 'writes waiting'),
      figure('Lag', `${Math.round(status.lagSeconds * 10) / 10} s`, 'writeBehind.lag', `bound ${count(status.lagMaxSeconds)} s`),
      figure('Flushed here', flusher ? count(flusher.flushedWrites) : '—', 'writeBehind.flushed', flusher ? `${count(flusher.batches)} batches` : 'no flusher on this instance'),
      figure('Flush errors', flusher ? count(flusher.errors) : '—', 'writeBehind.errors'),
    ),
  );
  return view.element;
}
