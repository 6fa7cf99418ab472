// @ts-check
import { ApiError, query } from './api.mjs';
import { h, replace } from './dom.mjs';
import { bytes, count, dateTime, millis, relative } from './format.mjs';
import { badge, busy, card, errorBox, figure, load, table } from './ui.mjs';

/**
 * @typedef {{ check: string, severity: 'info' | 'warning' | 'critical', message: string, recommendation: string }} Finding
 * @typedef {{ status: 'healthy' | 'warning' | 'critical', generatedAt: string, namespace: string, findings: Finding[] }} Report
 * @typedef {{ status: string, trigger: string, reason?: string, startedAt: string, durationMs: number, expiredDeleted: number, evictedRows: number,
 *   freedBytes: number, tagsPurged: number, logsPurged: number, rowsAfter?: number, truncated: boolean, error?: string | null }} CleanupRun
 * @typedef {{ days: number, runs: Array<CleanupRun & { instanceId: string }>, totals: { runs: number, errors: number, expiredDeleted: number, evictedRows: number, freedBytes: number, tagsPurged: number } }} CleanupLog
 * @typedef {{ name: string, ok: boolean, durationMs: number, loaded?: number, error?: string }} WarmerOutcome
 * @typedef {{ trigger: string, startedAt: string, durationMs: number, loaded: number, warmers: WarmerOutcome[] }} WarmRun
 * @typedef {{ id: number, at: string, who: string, action: string, params: unknown, result: unknown }} AuditEntry
 */

const SEVERITY_TONE = { info: 'info', warning: 'warn', critical: 'bad' };
const STATUS_TONE = { healthy: 'ok', warning: 'warn', critical: 'bad' };

/**
 * The maintenance tab: health report, cleanup (run now, log), warmers, audit log, emergency clear.
 * @param {import('./ui.mjs').Context} ctx
 */
export function createMaintenance(ctx) {
  // Health report
  const report = card('Health report', { description: 'The checks of GET /admin/cache/report: ratios, breakers, expired rows, size caps, reuse.' });
  const loadReport = () =>
    load(report, () => ctx.api.get('/report'), (/** @type {Report} */ value) => [
      h('p', { class: 'report-status', 'data-metric': 'report.status' }, badge(value.status, STATUS_TONE[value.status] ?? 'muted'), h('span', { class: 'muted small' }, ` ${value.findings.length} finding${value.findings.length === 1 ? '' : 's'} · ${dateTime(value.generatedAt)}`)),
      value.findings.length === 0
        ? h('p', { class: 'empty' }, 'Nothing to recommend.')
        : h(
            'ul',
            { class: 'findings' },
            value.findings.map((finding) =>
              h(
                'li',
                { class: `finding ${finding.severity}` },
                h('div', { class: 'finding-head' }, badge(finding.severity, SEVERITY_TONE[finding.severity] ?? 'muted'), h('code', {}, finding.check)),
                h('p', {}, finding.message),
                h('p', { class: 'recommendation' }, h('strong', {}, 'Recommendation: '), finding.recommendation),
              ),
            ),
          ),
    ]);

  // Cleanup
  const cleanupButton = h('button', { type: 'button', class: 'primary', onclick: () => void runCleanup() }, 'Run cleanup now');
  const cleanupResult = h('div', { class: 'form-result', role: 'status' });
  const cleanup = card('Cleanup', {
    actions: cleanupButton,
    description: 'Deletes expired L3 rows, enforces the size caps, purges tag-clock records no entry needs. Runs on a schedule; one instance at a time.',
  });
  cleanup.status.before(cleanupResult);

  async function runCleanup() {
    await busy(cleanupButton, 'Cleaning…', async () => {
      try {
        /** @type {CleanupRun} */
        const run = await ctx.api.post('/cleanup');
        replace(
          cleanupResult,
          h(
            'div',
            { class: 'result-box', 'data-metric': 'cleanup.result' },
            h('strong', {}, `Cleanup ${run.status}`),
            ` in ${millis(run.durationMs)}: ${count(run.expiredDeleted)} expired rows deleted, ${count(run.evictedRows)} evicted (${bytes(run.freedBytes)} freed), ${count(run.tagsPurged)} tag-clock records purged${run.truncated ? ', stopped at the batch limit (the next run continues)' : ''}.`,
          ),
        );
        ctx.notify('Cleanup finished');
      } catch (error) {
        replace(cleanupResult, errorBox(error));
      }
    });
    await loadCleanupLog();
  }

  const loadCleanupLog = () =>
    load(cleanup, () => ctx.api.get(`/cleanup-log${query({ days: 7 })}`), (/** @type {CleanupLog} */ log) => [
      h(
        'div',
        { class: 'figures compact' },
        figure('Runs (7 days)', count(log.totals.runs), 'cleanup.runs'),
        figure('Expired deleted', count(log.totals.expiredDeleted)),
        figure('Evicted', count(log.totals.evictedRows), undefined, bytes(log.totals.freedBytes)),
        figure('Errors', count(log.totals.errors)),
      ),
      table(
        [
          { label: 'Started', className: 'nowrap', cell: (run) => h('span', { title: `${dateTime(run.startedAt)} on ${run.instanceId}` }, relative(run.startedAt)) },
          { label: 'Trigger', cell: (run) => run.trigger },
          { label: 'Status', cell: (run) => badge(run.status, run.status === 'ok' ? 'ok' : 'bad') },
          { label: 'Expired', className: 'num', cell: (run) => count(run.expiredDeleted) },
          { label: 'Evicted', className: 'num', cell: (run) => count(run.evictedRows) },
          { label: 'Tags', className: 'num', cell: (run) => h('span', { title: 'tag-clock records purged' }, count(run.tagsPurged)) },
          { label: 'Took', className: 'num', cell: (run) => millis(run.durationMs) },
        ],
        log.runs.slice(0, 20),
        { empty: 'No cleanup ran in the last 7 days.', className: 'cleanup-log' },
      ),
    ]);

  // Warmers
  const warmResult = h('div', { class: 'form-result', role: 'status' });
  const warmers = card('Warmers', { description: 'Functions that fill the cache ahead of traffic; they run once after start-up.' });
  warmers.status.before(warmResult);

  /**
   * @param {HTMLButtonElement} button
   * @param {string[] | undefined} names
   */
  async function warm(button, names) {
    await busy(button, 'Running…', async () => {
      try {
        /** @type {WarmRun} */
        const run = await ctx.api.post('/warm', names ? { names } : {});
        replace(
          warmResult,
          h('div', { class: 'result-box' }, h('strong', {}, `Loaded ${count(run.loaded)} in ${millis(run.durationMs)}`)),
          table(
            [
              { label: 'Warmer', cell: (outcome) => h('code', {}, outcome.name) },
              { label: 'Result', cell: (outcome) => (outcome.ok ? badge('ok', 'ok') : badge('failed', 'bad')) },
              { label: 'Loaded', className: 'num', cell: (outcome) => count(outcome.loaded ?? null) },
              { label: 'Took', className: 'num', cell: (outcome) => millis(outcome.durationMs) },
              { label: 'Error', cell: (outcome) => outcome.error ?? '' },
            ],
            run.warmers,
            { empty: 'No warmer ran.' },
          ),
        );
      } catch (error) {
        replace(warmResult, errorBox(error));
      }
    });
  }

  const loadWarmers = () =>
    load(warmers, () => ctx.api.get('/warmers'), (/** @type {{ names: string[], running: boolean }} */ list) => {
      if (list.names.length === 0) return h('p', { class: 'empty' }, 'No warmers are registered (@CacheWarmer or CacheWarmerRegistry.register).');
      const runAll = h('button', { type: 'button', onclick: () => void warm(runAll, undefined) }, `Run all ${list.names.length}`);
      return [
        h(
          'ul',
          { class: 'warmers' },
          list.names.map((name) => {
            const run = h('button', { type: 'button', class: 'small', 'aria-label': `Run warmer ${name}`, onclick: () => void warm(run, [name]) }, 'Run');
            return h('li', {}, h('code', {}, name), run);
          }),
        ),
        h('div', { class: 'row-actions' }, runAll, list.running ? badge('a run is in progress', 'info') : null),
      ];
    });

  // Audit log
  const audit = card('Audit log', { description: 'Every admin action that changed something, and every refusal. Newest first.' });
  const loadAudit = () =>
    load(audit, () => ctx.api.get(`/audit${query({ limit: 50 })}`), (/** @type {{ entries: AuditEntry[] }} */ log) =>
      table(
        [
          { label: 'When', className: 'nowrap', cell: (row) => h('span', { title: dateTime(row.at) }, relative(row.at)) },
          { label: 'Who', cell: (row) => row.who },
          { label: 'Action', cell: (row) => h('code', {}, row.action) },
          { label: 'Outcome', cell: (row) => outcome(row.result) },
          { label: 'Details', className: 'details', cell: (row) => h('code', { class: 'json' }, summarize(row.params)) },
        ],
        log.entries,
        { empty: 'Nothing audited yet.', className: 'audit' },
      ),
    );

  // Emergency clear
  const clear = createClearCard(ctx);

  const element = h(
    'div',
    { class: 'tab-panel maintenance', id: 'panel-maintenance' },
    h('div', { class: 'column' }, report.element, cleanup.element, warmers.element),
    h('div', { class: 'column' }, clear.element, audit.element),
  );
  return {
    element,
    async load() {
      await Promise.all([loadReport(), loadCleanupLog(), loadWarmers(), loadAudit()]);
    },
  };
}

/** @param {unknown} result audit `result` column */
function outcome(result) {
  if (result && typeof result === 'object') {
    const value = /** @type {Record<string, unknown>} */ (result);
    if (value.ok === false) return badge(`failed ${value.status ?? ''}`.trim(), 'bad');
    if (value.status === 403) return badge('denied 403', 'bad');
    // clear: confirmation-required, then cleared; cleanup: ok
    if (typeof value.status === 'string') return badge(value.status, value.status === 'confirmation-required' ? 'info' : 'ok');
  }
  return badge('ok', 'ok');
}

/**
 * The interesting part of audited params: body, then query, then params.
 * @param {unknown} params
 */
function summarize(params) {
  if (!params || typeof params !== 'object') return '';
  const value = /** @type {Record<string, unknown>} */ (params);
  const parts = ['body', 'query', 'params']
    .map((name) => value[name])
    .filter((part) => part && typeof part === 'object' && Object.keys(/** @type {object} */ (part)).length > 0);
  if (parts.length === 0 && ['body', 'query', 'params'].some((name) => name in value)) return '—';
  const text = JSON.stringify(parts.length > 0 ? (parts.length === 1 ? parts[0] : parts) : value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/**
 * Two steps: "Clear…" asks the server for a confirmation token (nothing is cleared); "Yes, clear"
 * sends it back within its lifetime. Cancel, or the token's expiry, goes back to step one.
 * @param {import('./ui.mjs').Context} ctx
 */
function createClearCard(ctx) {
  const clearCard = card('Emergency clear', {
    className: 'danger-zone',
    description: 'Empties the cache. Every read goes to the database until the cache fills again. Tag clocks are kept.',
  });
  const scopeNamespace = h('input', { type: 'radio', name: 'clear-scope', id: 'clear-scope-namespace', value: 'namespace', checked: true });
  const scopeAll = h('input', { type: 'radio', name: 'clear-scope', id: 'clear-scope-all', value: 'all' });
  const requestButton = h('button', { type: 'button', class: 'danger-outline', onclick: () => void request() }, 'Clear the cache…');
  const stepOne = h(
    'div',
    { class: 'clear-step' },
    h(
      'fieldset',
      { class: 'scopes' },
      h('legend', {}, 'Scope'),
      h('label', { for: 'clear-scope-namespace' }, scopeNamespace, ' This namespace, every tier, every instance'),
      h('label', { for: 'clear-scope-all' }, scopeAll, ' Every namespace in L2 and L3 as well'),
    ),
    requestButton,
  );
  const stepTwo = h('div', { class: 'clear-step confirm', hidden: true, role: 'alertdialog', 'aria-label': 'Confirm the clear' });
  const result = h('div', { class: 'form-result', role: 'status' });
  clearCard.body.append(stepOne, stepTwo, result);
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let countdown;

  function reset() {
    clearInterval(countdown);
    stepTwo.hidden = true;
    replace(stepTwo);
    stepOne.hidden = false;
  }

  async function request() {
    const scope = scopeAll.checked ? 'all' : 'namespace';
    await busy(requestButton, 'Asking…', async () => {
      try {
        /** @type {{ status: string, scope: string, token: string, expiresAt: string }} */
        const issued = await ctx.api.post('/clear', { scope });
        replace(result);
        confirmStep(scope, issued.token, new Date(issued.expiresAt).getTime());
      } catch (error) {
        replace(result, errorBox(error));
      }
    });
  }

  /**
   * @param {string} scope
   * @param {string} token
   * @param {number} expiresAt
   */
  function confirmStep(scope, token, expiresAt) {
    const remaining = h('strong', { class: 'countdown' });
    const tick = () => {
      const seconds = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
      remaining.textContent = `${seconds} s`;
      if (seconds <= 0) {
        reset();
        replace(result, h('p', { class: 'muted' }, 'The confirmation expired; nothing was cleared.'));
      }
    };
    const confirmButton = h('button', { type: 'button', class: 'danger', onclick: () => void confirm() }, scope === 'all' ? 'Yes, clear every namespace' : 'Yes, clear this namespace');
    const cancelButton = h('button', { type: 'button', onclick: () => { reset(); replace(result, h('p', { class: 'muted' }, 'Cancelled; nothing was cleared.')); } }, 'Cancel');
    replace(
      stepTwo,
      h('p', {}, h('strong', {}, scope === 'all' ? 'Clear every namespace?' : 'Clear this namespace?'), ' It is applied on every instance. Nothing has been cleared yet. Confirm within ', remaining, '.'),
      h('div', { class: 'row-actions' }, confirmButton, cancelButton),
    );
    stepOne.hidden = true;
    stepTwo.hidden = false;
    tick();
    countdown = setInterval(tick, 1000);
    confirmButton.focus();

    async function confirm() {
      clearInterval(countdown);
      await busy(confirmButton, 'Clearing…', async () => {
        try {
          /** @type {Record<string, unknown>} */
          const cleared = await ctx.api.post('/clear', { scope, token });
          const extra = cleared.allNamespaces ? ` (${count(Number(cleared.l3RowsDeleted))} L3 rows, ${count(Number(cleared.l2KeysDeleted))} L2 keys deleted)` : '';
          replace(result, h('div', { class: 'result-box', 'data-metric': 'clear.result' }, h('strong', {}, 'Cleared'), ` namespace ${String(cleared.namespace)}${extra}, applied on every instance.`));
          ctx.notify('The cache was cleared');
        } catch (error) {
          const note = error instanceof ApiError && error.status === 409 ? 'Start again to get a new confirmation.' : undefined;
          replace(result, errorBox(error, note));
        }
      });
      reset();
      await ctx.refresh();
    }
  }

  return { element: clearCard.element };
}
