// @ts-check
import { h, replace } from './dom.mjs';

/**
 * A banner above the tabs while alerts fire (`GET /alerts`, from TieredCacheAlertsModule). Hidden
 * when nothing fires, and when the app has no alerts module (404): the banner is an extra, so
 * its failures never reach the operator as errors.
 * @param {import('./api.mjs').Api} api  the unguarded client: a refusal here must not sign out
 */
export function createAlertsBanner(api) {
  const element = h('div', { class: 'alerts-banner', role: 'alert', hidden: true });
  /** Asked once: without the alerts module, `/alerts` is never requested (a 404 would show in the console on every refresh). */
  /** @type {Promise<boolean> | undefined} */
  let available;

  async function load() {
    available ??= api.get('/features').then((features) => features.alerts === true, () => false);
    if (!(await available)) {
      element.hidden = true;
      return;
    }
    /** @type {{ firing: number, alerts: Array<{ name: string, state: string, summary: string, severity: string, labels: Record<string, string>, firingSince: string | null }> }} */
    let report;
    try {
      report = await api.get('/alerts');
    } catch {
      element.hidden = true;
      return;
    }
    const firing = report.alerts.filter((alert) => alert.state === 'firing');
    element.hidden = firing.length === 0;
    element.classList.toggle('critical', firing.some((alert) => alert.severity === 'critical'));
    replace(
      element,
      h('strong', {}, firing.length === 1 ? '1 alert firing' : `${firing.length} alerts firing`),
      h(
        'ul',
        {},
        firing.map((alert) => {
          const labels = Object.entries(alert.labels).map(([name, value]) => `${name}=${value}`).join(', ');
          const since = alert.firingSince ? ` since ${new Date(alert.firingSince).toLocaleTimeString()}` : '';
          return h('li', { 'data-alert': alert.name }, h('code', {}, alert.name), labels ? ` (${labels})` : '', `: ${alert.summary}${since}`);
        }),
      ),
    );
  }

  return { element, load };
}
