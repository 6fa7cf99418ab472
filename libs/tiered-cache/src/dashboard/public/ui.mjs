// @ts-check
import { ApiError } from './api.mjs';
import { h, replace } from './dom.mjs';
import { clock } from './format.mjs';

/**
 * Building blocks shared by the tabs: cards with loading and error states, tables that stack on
 * phones, badges, toasts.
 */

/**
 * @typedef {object} Context
 * @property {import('./api.mjs').Api} api
 * @property {(message: string, kind?: 'ok' | 'error') => void} notify
 * @property {() => Promise<void>} refresh   reloads the visible tab
 */

/**
 * A card: a heading, optional actions, and a body whose content {@link load} manages.
 * @param {string} title
 * @param {{ actions?: import('./dom.mjs').Children, className?: string, description?: string }} [options]
 */
export function card(title, options = {}) {
  const body = h('div', { class: 'card-body' });
  const status = h('div', { class: 'card-status', role: 'status' });
  const element = h(
    'section',
    { class: `card ${options.className ?? ''}`.trim(), 'aria-label': title },
    h('header', { class: 'card-head' }, h('h2', {}, title), options.actions ? h('div', { class: 'card-actions' }, options.actions) : null),
    options.description ? h('p', { class: 'card-description' }, options.description) : null,
    status,
    body,
  );
  return { element, body, status };
}

/**
 * Runs `fetch`, then renders into `target.body`. Before the first success the body shows a
 * loading placeholder; a failure shows an error above whatever was shown before (marked stale).
 * @template T
 * @param {{ element: HTMLElement, body: HTMLElement, status: HTMLElement }} target
 * @param {() => Promise<T>} fetch
 * @param {(value: T) => import('./dom.mjs').Children} render
 * @returns {Promise<boolean>} whether it worked
 */
export async function load(target, fetch, render) {
  const first = target.body.childElementCount === 0 || target.body.classList.contains('is-loading');
  if (first) {
    target.body.classList.add('is-loading');
    replace(target.body, h('div', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading…'));
  }
  target.element.setAttribute('aria-busy', 'true');
  try {
    const value = await fetch();
    target.body.classList.remove('is-loading', 'is-stale');
    replace(target.body, render(value));
    replace(target.status);
    return true;
  } catch (error) {
    if (first) replace(target.body);
    target.body.classList.remove('is-loading');
    if (!first) target.body.classList.add('is-stale');
    replace(target.status, errorBox(error, first ? undefined : `Showing what was loaded before ${clock(Date.now())}.`));
    return false;
  } finally {
    target.element.removeAttribute('aria-busy');
  }
}

/**
 * @param {unknown} error
 * @param {string} [note]
 */
export function errorBox(error, note) {
  const status = error instanceof ApiError && error.status ? `${error.status}: ` : '';
  const message = error instanceof Error ? error.message : String(error);
  return h('div', { class: 'error', role: 'alert' }, h('strong', {}, status ? `Error ${status}` : 'Error: '), message, note ? h('div', { class: 'error-note' }, note) : null);
}

/**
 * A table; on narrow screens each row becomes a block of "label: value" lines (CSS, through
 * `data-label`).
 * @template T
 * @param {Array<{ label: string, cell: (row: T) => import('./dom.mjs').Children, className?: string, head?: import('./dom.mjs').Children }>} columns  `head` replaces the label in the heading (a sort button, say)
 * @param {T[]} rows
 * @param {{ empty?: string, rowAttrs?: (row: T) => import('./dom.mjs').Attrs, className?: string }} [options]
 */
export function table(columns, rows, options = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, options.empty ?? 'Nothing to show.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: `data ${options.className ?? ''}`.trim() },
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col', class: column.className }, column.head ?? column.label)))),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            options.rowAttrs ? options.rowAttrs(row) : {},
            columns.map((column) => h('td', { 'data-label': column.label, class: column.className }, h('div', { class: 'cell' }, column.cell(row)))),
          ),
        ),
      ),
    ),
  );
}

/**
 * @param {string} text
 * @param {string} [tone] ok | warn | bad | muted | info
 */
export function badge(text, tone = 'muted') {
  return h('span', { class: `badge ${tone}` }, text);
}

/** @param {string} state circuit state */
export function circuitBadge(state) {
  const tone = state === 'closed' ? 'ok' : state === 'open' ? 'bad' : state === 'half-open' ? 'warn' : 'muted';
  return badge(state === 'n/a' ? 'no breaker' : state, tone);
}

/**
 * A key figure: a label and a value; `metric` names it for tests and scripts.
 * @param {string} label
 * @param {import('./dom.mjs').Children} value
 * @param {string} [metric]
 * @param {string} [hint]
 */
export function figure(label, value, metric, hint) {
  return h('div', { class: 'figure', 'data-metric': metric }, h('span', { class: 'figure-label' }, label), h('span', { class: 'figure-value' }, value), hint ? h('span', { class: 'figure-hint' }, hint) : null);
}

/** Toasts at the bottom of the page. */
export function createToasts() {
  const element = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
  return {
    element,
    /**
     * @param {string} message
     * @param {'ok' | 'error'} [kind]
     */
    show(message, kind = 'ok') {
      const toast = h('div', { class: `toast ${kind}` }, message);
      element.append(toast);
      setTimeout(() => toast.remove(), kind === 'error' ? 8000 : 5000);
    },
  };
}

/**
 * Disables `button` while `work` runs, with a busy label.
 * @template T
 * @param {HTMLButtonElement} button
 * @param {string} busyLabel
 * @param {() => Promise<T>} work
 */
export async function busy(button, busyLabel, work) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = busyLabel;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}
