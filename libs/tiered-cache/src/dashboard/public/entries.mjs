// @ts-check
import { query } from './api.mjs';
import { h, replace } from './dom.mjs';
import { bytes, count, dateTime, relative } from './format.mjs';
import { badge, busy, card, errorBox, load, table } from './ui.mjs';

/**
 * @typedef {{ key: string, tags: string[], sizeBytes: number, hitCount: number, createdAt: string, lastAccessedAt: string,
 *   staleAt: string, expiresAt: string, state: 'fresh' | 'stale' }} Entry
 * @typedef {{ namespace: string, count: number, entries: Entry[] }} EntryList
 */

const SORTS = [
  ['hits', 'Most hits'],
  ['recent', 'Most recent'],
  ['size', 'Largest'],
];
const LIMITS = [25, 50, 100, 250];
/** How long a delete button waits for its confirming second click. */
const CONFIRM_MS = 4000;

/**
 * The entries tab: the L3 entries table (sort, filter, delete) and the tag invalidation form.
 * @param {import('./ui.mjs').Context} ctx
 */
export function createEntries(ctx) {
  const filter = { tag: '', prefix: '', sort: 'hits', limit: 50 };

  // Tag invalidation
  const tagsInput = h('input', { id: 'invalidate-tags', name: 'tags', type: 'text', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'expert_sessions, product:42' });
  const invalidateButton = h('button', { type: 'submit', class: 'primary' }, 'Invalidate');
  const invalidateResult = h('div', { class: 'form-result', role: 'status' });
  const invalidateForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Invalidate tags', onsubmit: (/** @type {SubmitEvent} */ event) => void invalidate(event) },
    h('label', { for: 'invalidate-tags' }, 'Tags'),
    tagsInput,
    invalidateButton,
  );
  const invalidateCard = card('Invalidate tags', {
    description: 'Every entry carrying one of the tags becomes a miss, in every tier and on every instance. Separate tags with commas or spaces.',
  });
  invalidateCard.body.append(invalidateForm, invalidateResult);

  /** @param {SubmitEvent} event */
  async function invalidate(event) {
    event.preventDefault();
    const tags = tagsInput.value.split(/[\s,]+/).filter(Boolean);
    if (tags.length === 0) return;
    await busy(invalidateButton, 'Invalidating…', async () => {
      try {
        /** @type {{ invalidated: number, tags: string[] }} */
        const result = await ctx.api.post('/invalidate', { tags });
        replace(invalidateResult, h('p', { class: 'ok-text' }, `Invalidated ${result.invalidated} tag${result.invalidated === 1 ? '' : 's'}: ${result.tags.join(', ')}, applied on every instance`));
        tagsInput.value = '';
        ctx.notify(`Invalidated ${result.tags.join(', ')}`);
      } catch (error) {
        replace(invalidateResult, errorBox(error));
      }
    });
  }

  // Entries table
  const tagFilter = h('input', { id: 'filter-tag', name: 'tag', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'any tag' });
  const prefixFilter = h('input', { id: 'filter-prefix', name: 'prefix', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'any key' });
  const sortSelect = h('select', { id: 'filter-sort', name: 'sort' }, SORTS.map(([value, label]) => h('option', { value, selected: value === filter.sort }, label)));
  const limitSelect = h('select', { id: 'filter-limit', name: 'limit' }, LIMITS.map((value) => h('option', { value, selected: value === filter.limit }, String(value))));
  const filterForm = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter entries', onsubmit: (/** @type {SubmitEvent} */ event) => void applyFilter(event) },
    field('Tag', tagFilter),
    field('Key prefix', prefixFilter),
    field('Sort', sortSelect),
    field('Show', limitSelect),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Apply'), h('button', { type: 'button', onclick: () => void resetFilter() }, 'Reset')),
  );
  sortSelect.addEventListener('change', () => void applyFilter());
  limitSelect.addEventListener('change', () => void applyFilter());
  const entriesCard = card('Entries', { description: 'Live rows of this namespace in L3 (PostgreSQL), with their L3 hit counts. L1 and L2 hold copies of the hot ones.' });
  entriesCard.status.before(filterForm);

  /** @param {SubmitEvent} [event] */
  async function applyFilter(event) {
    event?.preventDefault();
    filter.tag = tagFilter.value.trim();
    filter.prefix = prefixFilter.value;
    filter.sort = sortSelect.value;
    filter.limit = Number(limitSelect.value);
    await loadEntries();
  }

  async function resetFilter() {
    tagFilter.value = '';
    prefixFilter.value = '';
    await applyFilter();
  }

  /** @param {string} tag */
  async function filterByTag(tag) {
    tagFilter.value = tag;
    await applyFilter();
  }

  function loadEntries() {
    return load(
      entriesCard,
      () => ctx.api.get(`/entries${query({ tag: filter.tag, prefix: filter.prefix, sort: filter.sort, limit: filter.limit })}`),
      (/** @type {EntryList} */ list) => renderEntries(list),
    );
  }

  /** @param {EntryList} list */
  function renderEntries(list) {
    const filtered = [filter.tag && `tag ${filter.tag}`, filter.prefix && `prefix “${filter.prefix}”`].filter(Boolean).join(', ');
    return [
      h('p', { class: 'muted small', 'data-metric': 'entries.count' }, `${count(list.count)} entr${list.count === 1 ? 'y' : 'ies'} in namespace ${list.namespace}${filtered ? ` with ${filtered}` : ''}${list.count === filter.limit ? ` (first ${filter.limit})` : ''}.`),
      table(
        [
          { label: 'Key', className: 'key', cell: (entry) => h('code', { title: entry.key }, entry.key) },
          {
            label: 'Tags',
            className: 'tags',
            cell: (entry) =>
              entry.tags.length === 0
                ? h('span', { class: 'muted' }, 'none')
                : entry.tags.map((tag) => h('button', { type: 'button', class: 'chip', title: `Show entries tagged ${tag}`, onclick: () => void filterByTag(tag) }, tag)),
          },
          { label: 'Size', className: 'num', cell: (entry) => bytes(entry.sizeBytes) },
          { label: 'Hits', className: 'num', cell: (entry) => count(entry.hitCount) },
          { label: 'Last access', cell: (entry) => h('span', { title: dateTime(entry.lastAccessedAt) }, relative(entry.lastAccessedAt)) },
          { label: 'Expires', cell: (entry) => h('span', { title: dateTime(entry.expiresAt) }, relative(entry.expiresAt)) },
          { label: 'State', cell: (entry) => badge(entry.state, entry.state === 'fresh' ? 'ok' : 'warn') },
          { label: 'Actions', className: 'actions', cell: (entry) => deleteButton(entry.key) },
        ],
        list.entries,
        { empty: filtered ? 'No entry matches the filter.' : 'No entries in L3 yet: cached reads fill it.', rowAttrs: (entry) => ({ 'data-key': entry.key }), className: 'entries' },
      ),
    ];
  }

  /**
   * Deletes on the second click, within {@link CONFIRM_MS}.
   * @param {string} key
   */
  function deleteButton(key) {
    const button = h('button', { type: 'button', class: 'danger-outline small', 'aria-label': `Delete ${key}` }, 'Delete');
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    button.addEventListener('click', async () => {
      if (!button.classList.contains('confirming')) {
        button.classList.add('confirming');
        button.textContent = 'Confirm delete';
        button.title = 'Deletes the key from every tier, applied on every instance';
        timer = setTimeout(() => {
          button.classList.remove('confirming');
          button.textContent = 'Delete';
        }, CONFIRM_MS);
        return;
      }
      clearTimeout(timer);
      button.classList.remove('confirming');
      await busy(button, 'Deleting…', async () => {
        try {
          await ctx.api.delete(`/entries/${encodeURIComponent(key)}`);
          ctx.notify(`Deleted ${key} from every tier, applied on every instance`);
          await loadEntries();
        } catch (error) {
          ctx.notify(`Could not delete ${key}: ${error instanceof Error ? error.message : String(error)}`, 'error');
        }
      });
    });
    return button;
  }

  const element = h('div', { class: 'tab-panel', id: 'panel-entries' }, invalidateCard.element, entriesCard.element);
  return { element, load: loadEntries };
}

/**
 * @param {string} label
 * @param {HTMLInputElement | HTMLSelectElement} control
 */
function field(label, control) {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}
