// @ts-check
/* global document, window, sessionStorage */
import { ApiError, createApi } from './api.mjs';
import { createAlertsBanner } from './alerts-banner.mjs';
import { h, replace } from './dom.mjs';
import { clock } from './format.mjs';
import { createEntries } from './entries.mjs';
import { createFleet } from './fleet.mjs';
import { createMaintenance } from './maintenance.mjs';
import { createOverview } from './overview.mjs';
import { createPolicies } from './policies.mjs';
import { createToasts } from './ui.mjs';
// Trends tab (docs/trends.md).
import { createTrends } from './trends.mjs';

/**
 * The cache dashboard. Configuration comes from `<body data-*>`, filled in by the server: where
 * the admin API is, how often to refresh. The operator's token lives in `sessionStorage` (this tab
 * only, gone when it closes) and goes out as a Bearer header on every data call.
 */

const TOKEN_KEY = 'tiered-cache-dashboard:token';
const TABS = /** @type {const} */ ([
  ['overview', 'Overview'],
  ['entries', 'Entries'],
  ['maintenance', 'Maintenance'],
  ['fleet', 'Fleet'],
  ['trends', 'Trends'],
  ['policies', 'Policies'],
]);
/** @typedef {typeof TABS[number][0]} TabName */

const body = document.body;
const apiBase = body.dataset.api ?? '/admin/cache';
const refreshMs = Number(body.dataset.refreshMs ?? 30000);
const title = body.dataset.title ?? 'Tiered Cache';
const root = /** @type {HTMLElement} */ (document.getElementById('app'));

/** @returns {string | null} */
function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/**
 * What the server said about a token, in words an operator can act on.
 * @param {unknown} error
 */
function tokenProblem(error) {
  if (error instanceof ApiError && error.status === 401) return `The server rejected this token: ${error.message}`;
  if (error instanceof ApiError && error.status === 403) return `This token is valid but may not use the cache admin API: ${error.message}`;
  return `Could not check the token: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Accepts the token alone, or pasted with its "Bearer " prefix or an "Authorization:" header name.
 * @param {string} text
 */
export function cleanToken(text) {
  return text.trim().replace(/^authorization:\s*/i, '').replace(/^bearer\s+/i, '').trim();
}

/** @param {string} [message] shown above the form, e.g. why the previous session ended */
function showSignIn(message) {
  stopAutoRefresh();
  document.title = `Sign in · ${title}`;
  const input = h('textarea', { id: 'token', name: 'token', rows: 5, required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'eyJhbGciOiJIUzI1NiIs…' });
  const error = h('div', { class: 'signin-error', role: 'alert', id: 'signin-error' });
  if (message) replace(error, message);
  const submit = h('button', { type: 'submit', class: 'primary wide' }, 'Sign in');
  const form = h(
    'form',
    { class: 'signin-form', 'aria-label': 'Sign in', 'aria-describedby': 'signin-error' },
    h('label', { for: 'token' }, 'Admin token (JWT)'),
    input,
    error,
    submit,
    h('p', { class: 'muted small' }, 'The token stays in this browser tab (session storage) and is sent as ', h('code', {}, 'Authorization: Bearer …'), ' with each request. Get one with ', h('code', {}, 'npm run -s token -- --sub you --role admin'), '.'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = cleanToken(input.value);
    if (!token) return;
    submit.disabled = true;
    submit.textContent = 'Checking…';
    replace(error);
    try {
      await createApi(apiBase, () => token).get('/stats');
      sessionStorage.setItem(TOKEN_KEY, token);
      showDashboard();
    } catch (problem) {
      replace(error, tokenProblem(problem));
      input.focus();
      input.select();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  root.className = 'signin';
  replace(
    root,
    h('main', { class: 'signin-card' }, h('div', { class: 'brand' }, h('img', { src: 'assets/favicon.svg', alt: '', width: 28, height: 28 }), h('h1', {}, title)), h('p', {}, 'Cache dashboard for operators. Sign in with an admin token.'), form),
  );
  input.focus();
}

/** @type {ReturnType<typeof setInterval> | undefined} */
let autoTimer;
function stopAutoRefresh() {
  clearInterval(autoTimer);
  autoTimer = undefined;
}

function signOut(message = 'Signed out.') {
  sessionStorage.removeItem(TOKEN_KEY);
  showSignIn(message);
}

function showDashboard() {
  const toasts = createToasts();
  const rawApi = createApi(apiBase, storedToken);
  /**
   * A 401 or 403 means the token no longer works (expired, rotated secret, role changed): back to
   * the sign-in form, saying why.
   * @template T
   * @param {() => Promise<T>} call
   */
  const guarded = async (call) => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403) && root.classList.contains('dashboard')) {
        signOut(tokenProblem(error));
      }
      throw error;
    }
  };
  /** @type {import('./api.mjs').Api} */
  const api = {
    get: (path) => guarded(() => rawApi.get(path)),
    post: (path, payload) => guarded(() => rawApi.post(path, payload)),
    put: (path, payload) => guarded(() => rawApi.put(path, payload)),
    delete: (path) => guarded(() => rawApi.delete(path)),
  };
  /** @type {import('./ui.mjs').Context} */
  const ctx = { api, notify: toasts.show, refresh: () => refresh() };

  const namespace = h('span', { class: 'namespace', title: 'Cache namespace' });
  const updated = h('span', { class: 'updated', 'aria-live': 'polite' }, 'Loading…');
  const refreshButton = h('button', { type: 'button', class: 'icon-button', onclick: () => void refresh(), 'aria-label': 'Refresh now', title: 'Refresh now' }, h('span', { class: 'refresh-icon', 'aria-hidden': 'true' }, '⟳'), h('span', { class: 'label' }, 'Refresh'));
  const autoToggle = h('input', { type: 'checkbox', id: 'auto-refresh', checked: refreshMs > 0, disabled: refreshMs <= 0 });
  const overview = createOverview(ctx, (stats) => {
    namespace.textContent = stats.namespace;
  });
  const views = { overview, entries: createEntries(ctx), maintenance: createMaintenance(ctx), fleet: createFleet(ctx), trends: createTrends(ctx), policies: createPolicies(ctx) };
  /** @type {Record<TabName, HTMLButtonElement>} */
  const tabButtons = /** @type {any} */ ({});
  const nav = h(
    'nav',
    { class: 'tabs', role: 'tablist', 'aria-label': 'Sections' },
    TABS.map(([name, label]) => {
      const button = h('button', { type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`, onclick: () => select(name) }, label);
      tabButtons[name] = button;
      return button;
    }),
  );
  const main = h('main', { class: 'content' });
  const alertsBanner = createAlertsBanner(rawApi);
  root.className = 'dashboard';
  replace(
    root,
    h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, h('img', { src: 'assets/favicon.svg', alt: '', width: 24, height: 24 }), h('h1', {}, title), namespace),
      h(
        'div',
        { class: 'controls' },
        updated,
        h('label', { class: 'toggle', for: 'auto-refresh', title: refreshMs > 0 ? `Refresh every ${Math.round(refreshMs / 1000)} s` : 'Auto-refresh is off' }, autoToggle, refreshMs > 0 ? ` Auto ${Math.round(refreshMs / 1000)} s` : ' Auto off'),
        refreshButton,
        h('button', { type: 'button', class: 'link-button', onclick: () => signOut() }, 'Sign out'),
      ),
      nav,
    ),
    alertsBanner.element,
    main,
    toasts.element,
  );

  /** @type {TabName} */
  let active = 'overview';
  let running = /** @type {Promise<void> | undefined} */ (undefined);

  /** @param {TabName} name */
  function select(name) {
    active = name;
    for (const [tab, button] of Object.entries(tabButtons)) {
      button.setAttribute('aria-selected', String(tab === name));
      button.tabIndex = tab === name ? 0 : -1;
    }
    replace(main, views[name].element);
    views[name].element.setAttribute('role', 'tabpanel');
    views[name].element.setAttribute('aria-labelledby', `tab-${name}`);
    if (window.location.hash !== `#${name}`) window.history.replaceState(null, '', `#${name}`);
    void refresh();
  }

  /** Reloads the visible tab (and the namespace in the header). */
  function refresh() {
    if (running) return running;
    const view = views[active];
    root.classList.add('refreshing');
    refreshButton.disabled = true;
    running = (async () => {
      try {
        await Promise.all([view.load(), alertsBanner.load()]);
        if (root.classList.contains('dashboard')) updated.textContent = `Updated ${clock(Date.now())}`;
      } finally {
        root.classList.remove('refreshing');
        refreshButton.disabled = false;
        running = undefined;
      }
    })();
    return running;
  }

  function startAutoRefresh() {
    stopAutoRefresh();
    if (refreshMs > 0 && autoToggle.checked) {
      autoTimer = setInterval(() => {
        if (!document.hidden && root.classList.contains('dashboard')) void refresh();
      }, refreshMs);
    }
  }
  autoToggle.addEventListener('change', startAutoRefresh);
  nav.addEventListener('keydown', (event) => {
    const index = TABS.findIndex(([name]) => name === active);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = TABS[(index + step + TABS.length) % TABS.length];
    if (next) {
      select(next[0]);
      tabButtons[next[0]].focus();
    }
  });

  document.title = title;
  const fromHash = TABS.find(([name]) => `#${name}` === window.location.hash);
  select(fromHash ? fromHash[0] : 'overview');
  startAutoRefresh();
}

if (storedToken()) showDashboard();
else showSignIn();
