// @ts-check
import { ApiError } from './api.mjs';
import { h, replace } from './dom.mjs';
import { relative } from './format.mjs';
import { badge, busy, card, errorBox, load, table } from './ui.mjs';

/**
 * @typedef {'l1' | 'l2' | 'l3'} TierName
 * @typedef {{ prefix?: string, tag?: string }} Match
 * @typedef {{ match: Match, ttl?: string | number, grace?: string | number, tiers?: TierName[], disabled?: boolean, note?: string }} PolicyBody
 * @typedef {PolicyBody & { id: string, updatedAt: string, updatedBy: string }} Policy
 * @typedef {{ inForce: number, loadedAt?: string, error?: string, instanceId: string }} PolicyStatus
 * @typedef {{ reason: string, prefix: string, message: string, policy: PolicyBody }} Suggestion
 */

const TIERS = /** @type {TierName[]} */ (['l1', 'l2', 'l3']);
/** The form control a field of the API's 400 messages belongs to (`match.prefix` → the match input). */
const FIELD_OF = /** @type {Record<string, string>} */ ({ 'match.prefix': 'match', 'match.tag': 'match', match: 'match', ttl: 'ttl', grace: 'grace', tiers: 'tiers', disabled: 'disabled', note: 'note' });

/** @param {PolicyBody} policy */
export function describeMatch(policy) {
  return policy.match.prefix !== undefined ? `prefix ${policy.match.prefix}` : `tag ${policy.match.tag}`;
}

/** @param {PolicyBody} policy */
export function describeOverrides(policy) {
  if (policy.disabled) return 'caching off';
  return [policy.ttl !== undefined ? `ttl ${policy.ttl}` : '', policy.grace !== undefined ? `grace ${policy.grace}` : '', policy.tiers ? `tiers ${policy.tiers.join(', ')}` : ''].filter(Boolean).join(' · ');
}

/**
 * The field a 400 message is about: its first word, or the X of "property X should not exist".
 * @param {string} message
 */
export function fieldOfMessage(message) {
  const unknown = /^property (\S+) should not exist/.exec(message);
  return unknown ? unknown[1] : message.split(' ')[0];
}

/**
 * The policies tab: the namespace's runtime policies (docs/policies.md), a form to create or edit
 * one (with the API's field errors under the fields), and the policies the report suggests, each
 * applied in two clicks (Apply, then confirm).
 * @param {import('./ui.mjs').Context} ctx
 */
export function createPolicies(ctx) {
  const listCard = card('Policies', { description: 'They override the ttl, grace or tiers of the calls they match, or turn caching off for them, on every instance within the bus delay. Longest prefix first, then tag.' });
  listCard.element.dataset.card = 'policies';
  const formCard = card('New policy');
  formCard.element.dataset.card = 'policy-form';
  const suggestionsCard = card('Suggested policies', { description: 'From what this instance measured per key group since it started or since the last policy was created.' });
  suggestionsCard.element.dataset.card = 'policy-suggestions';

  const form = createForm();
  formCard.body.append(form.element);

  /** @param {{ policies: Policy[], status: PolicyStatus }} listing */
  function renderList(listing) {
    const { status } = listing;
    return [
      status.error ? h('div', { class: 'error', role: 'alert' }, status.error) : null,
      h('p', { class: 'muted small', 'data-metric': 'policies.inForce' }, `${status.inForce} in force on this instance`, status.loadedAt ? `, loaded ${relative(status.loadedAt)}` : '', '.'),
      table(
        [
          { label: 'Match', cell: (row) => h('code', {}, describeMatch(row)) },
          { label: 'Overrides', cell: (row) => (row.disabled ? badge('caching off', 'warn') : describeOverrides(row)) },
          { label: 'Note', cell: (row) => row.note ?? '' },
          { label: 'Updated', className: 'nowrap', cell: (row) => `${relative(row.updatedAt)} by ${row.updatedBy}` },
          { label: 'Actions', cell: (row) => rowActions(row) },
        ],
        listing.policies,
        { empty: 'No policies: every call runs with the options its code gives.', className: 'policies', rowAttrs: (row) => ({ 'data-policy': row.id }) },
      ),
    ];
  }

  /** @param {Policy} policy */
  function rowActions(policy) {
    const cell = h('div', { class: 'filter-buttons' });
    const edit = h('button', { type: 'button', onclick: () => form.edit(policy) }, 'Edit');
    const remove = h('button', { type: 'button', class: 'danger-outline', onclick: () => confirmDelete() }, 'Delete');
    replace(cell, edit, remove);
    function confirmDelete() {
      const yes = h('button', { type: 'button', class: 'danger', onclick: () => void run() }, 'Yes, delete');
      const no = h('button', { type: 'button', onclick: () => replace(cell, edit, remove) }, 'Cancel');
      replace(cell, h('span', { role: 'alertdialog', 'aria-label': `Delete policy ${policy.id}`, class: 'filter-buttons' }, 'Delete it on every instance?', yes, no));
      yes.focus();
      async function run() {
        await busy(yes, 'Deleting…', async () => {
          try {
            await ctx.api.delete(`/policies/${encodeURIComponent(policy.id)}`);
            ctx.notify(`Policy ${describeMatch(policy)} deleted`);
          } catch (error) {
            ctx.notify(error instanceof Error ? error.message : String(error), 'error');
          }
        });
        await ctx.refresh();
      }
    }
    return cell;
  }

  /** @param {{ suggestions: Suggestion[] }} body */
  function renderSuggestions(body) {
    if (body.suggestions.length === 0) return h('p', { class: 'empty' }, 'No suggestion: nothing measured argues for a policy.');
    return h(
      'ul',
      { class: 'suggestions' },
      body.suggestions.map((suggestion) => {
        const actions = h('div', { class: 'row-actions' });
        const apply = h('button', { type: 'button', class: 'primary', onclick: () => confirmApply() }, 'Apply');
        replace(actions, apply);
        function confirmApply() {
          const yes = h('button', { type: 'button', class: 'primary', onclick: () => void run() }, 'Yes, apply');
          const no = h('button', { type: 'button', onclick: () => replace(actions, apply) }, 'Cancel');
          replace(actions, h('div', { role: 'alertdialog', 'aria-label': `Apply the policy for ${suggestion.prefix}`, class: 'confirm' }, h('p', {}, h('strong', {}, `Apply ${describeMatch(suggestion.policy)} → ${describeOverrides(suggestion.policy)}?`), ' It is applied on every instance.'), h('div', { class: 'row-actions' }, yes, no)));
          yes.focus();
          async function run() {
            await busy(yes, 'Applying…', async () => {
              try {
                await ctx.api.post('/policies', suggestion.policy);
                ctx.notify(`Policy ${describeMatch(suggestion.policy)} applied`);
              } catch (error) {
                replace(actions, errorBox(error));
              }
            });
            await ctx.refresh();
          }
        }
        return h(
          'li',
          { class: 'suggestion', 'data-suggestion': suggestion.prefix },
          h('div', {}, badge(suggestion.reason, 'info'), ' ', h('code', {}, `${describeMatch(suggestion.policy)} → ${describeOverrides(suggestion.policy)}`)),
          h('p', { class: 'small' }, suggestion.message),
          actions,
        );
      }),
    );
  }

  function createForm() {
    const kind = h('select', { id: 'policy-kind', name: 'kind' }, h('option', { value: 'prefix' }, 'Key prefix'), h('option', { value: 'tag' }, 'Tag'));
    const match = h('input', { type: 'text', id: 'policy-match', name: 'match', placeholder: 'report:' });
    const ttl = h('input', { type: 'text', id: 'policy-ttl', name: 'ttl', placeholder: '30s' });
    const grace = h('input', { type: 'text', id: 'policy-grace', name: 'grace', placeholder: '5m' });
    const tiers = TIERS.map((tier) => h('input', { type: 'checkbox', id: `policy-tier-${tier}`, name: 'tiers', value: tier }));
    const disabled = h('input', { type: 'checkbox', id: 'policy-disabled', name: 'disabled' });
    const note = h('input', { type: 'text', id: 'policy-note', name: 'note', maxlength: 500 });
    /** @type {Record<string, HTMLElement>} */
    const errors = {};
    /** @param {string} name @param {string} label @param {import('./dom.mjs').Children} control */
    const field = (name, label, control, htmlFor = `policy-${name}`) => {
      errors[name] = h('div', { class: 'field-error', id: `policy-${name}-error`, 'data-field-error': name });
      return h('div', { class: 'field' }, h('label', { for: htmlFor }, label), control, errors[name]);
    };
    const formError = h('div', { class: 'form-result', role: 'status' });
    const save = h('button', { type: 'submit', class: 'primary' }, 'Create policy');
    const cancel = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel edit');
    const element = h(
      'form',
      { class: 'policy-form', 'aria-label': 'Policy' },
      h('div', { class: 'policy-fields' }, field('kind', 'Match by', kind), field('match', 'Prefix or tag', match), field('ttl', 'TTL', ttl), field('grace', 'Grace', grace)),
      h(
        'div',
        { class: 'policy-fields' },
        field('tiers', 'Tiers (none: as the code says)', h('div', { class: 'filter-buttons' }, tiers.map((box, index) => h('label', { for: box.id }, box, ` ${TIERS[index]?.toUpperCase()}`))), 'policy-tier-l1'),
        field('disabled', 'Caching', h('label', { for: 'policy-disabled' }, disabled, ' Off for these keys'), 'policy-disabled'),
        field('note', 'Note', note),
      ),
      formError,
      h('div', { class: 'row-actions' }, save, cancel),
    );
    /** @type {string | undefined} */
    let editing;

    function clearErrors() {
      for (const box of Object.values(errors)) replace(box);
      for (const control of element.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
      replace(formError);
    }
    function reset() {
      editing = undefined;
      element.reset();
      clearErrors();
      save.textContent = 'Create policy';
      cancel.hidden = true;
      replace(/** @type {HTMLElement} */ (formCard.element.querySelector('h2')), 'New policy');
    }
    /** @returns {PolicyBody} */
    function body() {
      const value = match.value.trim();
      /** @type {PolicyBody} */
      const policy = { match: value === '' ? {} : kind.value === 'tag' ? { tag: value } : { prefix: value } };
      if (ttl.value.trim() !== '') policy.ttl = ttl.value.trim();
      if (grace.value.trim() !== '') policy.grace = grace.value.trim();
      const chosen = tiers.filter((box) => box.checked).map((box) => /** @type {TierName} */ (box.value));
      if (chosen.length > 0) policy.tiers = chosen;
      if (disabled.checked) policy.disabled = true;
      if (note.value.trim() !== '') policy.note = note.value.trim();
      return policy;
    }
    /** @param {unknown} error */
    function showErrors(error) {
      if (!(error instanceof ApiError) || error.status !== 400 || error.messages.length === 0) {
        replace(formError, errorBox(error));
        return;
      }
      const general = [];
      for (const message of error.messages) {
        const name = FIELD_OF[fieldOfMessage(message)];
        const box = name === undefined ? undefined : errors[name];
        if (box === undefined) {
          general.push(message);
          continue;
        }
        box.append(h('div', {}, message));
        element.querySelector(`#policy-${name === 'tiers' ? 'tier-l1' : name}`)?.setAttribute('aria-invalid', 'true');
      }
      if (general.length > 0) replace(formError, h('div', { class: 'error', role: 'alert' }, general.join('; ')));
    }
    element.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors();
      const id = editing;
      let saved = false;
      await busy(save, 'Saving…', async () => {
        try {
          await (id === undefined ? ctx.api.post('/policies', body()) : ctx.api.put(`/policies/${encodeURIComponent(id)}`, body()));
          ctx.notify(id === undefined ? 'Policy created' : `Policy ${id} saved`);
          saved = true;
        } catch (error) {
          showErrors(error);
        }
      });
      if (saved) {
        reset();
        await ctx.refresh();
      }
    });
    return {
      element,
      /** @param {Policy} policy */
      edit(policy) {
        reset();
        editing = policy.id;
        kind.value = policy.match.tag !== undefined ? 'tag' : 'prefix';
        match.value = policy.match.prefix ?? policy.match.tag ?? '';
        ttl.value = policy.ttl === undefined ? '' : String(policy.ttl);
        grace.value = policy.grace === undefined ? '' : String(policy.grace);
        for (const box of tiers) box.checked = policy.tiers?.includes(/** @type {TierName} */ (box.value)) ?? false;
        disabled.checked = policy.disabled === true;
        note.value = policy.note ?? '';
        save.textContent = 'Save policy';
        cancel.hidden = false;
        replace(/** @type {HTMLElement} */ (formCard.element.querySelector('h2')), `Edit policy ${policy.id}`);
        match.focus();
      },
    };
  }

  const element = h('div', { class: 'tab-panel', id: 'panel-policies' }, listCard.element, formCard.element, suggestionsCard.element);
  return {
    element,
    async load() {
      await Promise.all([load(listCard, () => ctx.api.get('/policies'), renderList), load(suggestionsCard, () => ctx.api.get('/policies/suggestions'), renderSuggestions)]);
    },
  };
}
