// SPDX-License-Identifier: GPL-3.0-or-later
// Home (every inverter, site totals, sun times and poll window, night state) and the
// inverter page (per input DC values, temperature, grid, link, last poll). Both redraw on
// every "live" event, without reloading.
import { get, onEvent } from '../api.js';
import { h, fmt, kv, message, limitText, t } from '../ui.js';

function windowText(live) {
  const w = live.window;
  if (w.kind === 'all_day') return t('all_day');
  if (w.kind === 'none') return t('no_window');
  return fmt.time(w.start_s) + ' – ' + fmt.time(w.end_s);
}

function banner(live) {
  document.body.classList.toggle('night', live.night);
  // No polling to announce until the module answers.
  if (live.radio_error) return [h('div.msg.error', { 'data-testid': 'radio-error' }, t('radio_error') + ' ' + live.radio_error)];
  const parts = [];
  if (!live.coordinator_up) parts.push(h('div.msg.error', t('coordinator_down')));
  // Without a reset line a frozen module stays frozen until someone pulls the plug.
  if (live.reset_line_missing) parts.push(h('div.msg.error', { 'data-testid': 'no-reset-line' }, t('no_reset_line')));
  parts.push(h('div.banner' + (live.night ? '.night' : ''), { 'data-testid': 'daystate' },
    live.night ? '🌙 ' + t('night') + ' ' + fmt.time(live.window.start_s && live.window.start_s + 86400)
      : '☀ ' + t('day_state') + ' ' + fmt.time(live.next_cycle_s)));
  return parts;
}

function renderHome(box, live) {
  const w = live.window;
  const sun = h('div.card', kv([
    [t('sunrise'), fmt.time(w.sunrise_s)], [t('sunset'), fmt.time(w.sunset_s)], [t('window'), windowText(live)],
    [t('updated'), fmt.datetime(live.time_s)]]));
  const site = h('div.card',
    h('div.muted', t('site')),
    h('div.big', { 'data-testid': 'site-power' }, fmt.w(live.site.power_w)),
    kv([[t('today_energy'), h('span', { 'data-testid': 'site-today' }, fmt.wh(live.site.today_wh))],
      [t('lifetime'), fmt.wh(live.site.lifetime_wh)]]));
  const rows = live.inverters.map((inv) => h('tr', { 'data-serial': inv.serial },
    h('td', h('a', { href: '#/inverter/' + inv.serial }, inv.name), h('div.muted', inv.model + ' · ' + inv.serial),
      inv.output_on === false && h('div.bad', { 'data-testid': 'output-off' }, t('output_off_note'))),
    h('td.num', { 'data-testid': 'power' }, fmt.w(inv.power_w)),
    h('td.num', fmt.wh(inv.today_wh)),
    h('td', h('span', { class: inv.last_outcome === 'ok' ? 'ok' : 'bad' }, inv.last_outcome), h('div.muted', fmt.time(inv.last_poll_s)))));
  const table = h('div.card', h('table',
    h('thead', h('tr', h('th', t('name')), h('th.num', t('power')), h('th.num', t('today_energy')), h('th', t('last_poll')))),
    h('tbody', rows),
    h('tfoot', h('tr', h('th', t('site')), h('th.num', fmt.w(live.site.power_w)), h('th.num', fmt.wh(live.site.today_wh)), h('th')))));
  box.replaceChildren(...banner(live), h('div.grid', site, sun), table);
}

export async function homePage({ app, onCleanup }) {
  const box = h('div');
  app.append(h('h1', t('home')), box);
  renderHome(box, await get('/live'));
  const off = onEvent('live', (live) => renderHome(box, live));
  const lost = onEvent('lost', () => box.prepend(message('info', t('lost'))));
  onCleanup(() => { off(); lost(); });
}

function renderInverter(box, inv, live) {
  const inputs = h('table',
    h('thead', h('tr', h('th', t('input')), h('th.num', t('dc_v')), h('th.num', t('dc_a')), h('th.num', t('power')),
      h('th.num', t('today_energy')), h('th.num', t('lifetime')))),
    h('tbody', inv.inputs.map((i) => h('tr', h('td', String(i.input), i.in_use ? '' : h('span.muted', ' (' + t('not_in_use') + ')')),
      h('td.num', fmt.v(i.dc_voltage_v)), h('td.num', fmt.a(i.dc_current_a)), h('td.num', fmt.w(i.power_w)),
      h('td.num', fmt.wh(i.today_wh)), h('td.num', fmt.wh(i.lifetime_wh))))));
  box.replaceChildren(...banner(live),
    h('div.grid',
      h('div.card', h('div.muted', t('power')), h('div.big', { 'data-testid': 'inv-power' }, fmt.w(inv.power_w)),
        kv([[t('today_energy'), fmt.wh(inv.today_wh)], [t('lifetime'), fmt.wh(inv.lifetime_wh)]])),
      h('div.card', kv([[t('temperature'), inv.temperature_c === null ? '–' : fmt.num(inv.temperature_c, 1) + ' °C'],
        [t('frequency'), inv.frequency_hz === null ? '–' : fmt.num(inv.frequency_hz, 2) + ' Hz'],
        [t('ac_v'), inv.ac_voltage_v === null ? '–' : fmt.v(inv.ac_voltage_v)],
        [t('link'), inv.link_quality_pct === null ? '–' : fmt.num(inv.link_quality_pct, 0) + ' %'],
        [t('uptime'), fmt.duration(inv.uptime_s)]])),
      h('div.card', kv([[t('serial'), inv.serial], [t('model'), inv.model],
        [t('last_poll'), fmt.datetime(inv.last_poll_s)], [t('outcome'), inv.last_outcome + (inv.last_detail ? ': ' + inv.last_detail : '')],
        [t('sample_time'), fmt.datetime(inv.sample_time_s)],
        [t('grid_output'), h('span', { class: inv.output_on === false ? 'bad' : 'ok', 'data-testid': 'inv-output' },
          inv.output_on === false ? t('output_is_off') : t('output_is_on'))],
        [t('limit_per_panel'), h('span', { 'data-testid': 'inv-limit' }, limitText(inv, inv.inputs.length))]]))),
    h('div.card', inputs),
    h('p', h('a', { href: '#/charts/day/' + inv.serial }, t('charts')), ' · ', h('a', { href: '#/stats/' + inv.serial }, t('stats'))));
}

export async function inverterPage({ app, args, onCleanup }) {
  const serial = args[0];
  const live = await get('/live');
  const find = (l) => l.inverters.find((i) => i.serial === serial);
  const inv = find(live);
  if (!inv) return app.append(message('error', t('inverter') + ' ' + serial + '?'));
  const title = h('h1', inv.name);
  const box = h('div');
  app.append(title, box);
  renderInverter(box, inv, live);
  onCleanup(onEvent('live', (l) => { const i = find(l); if (i) renderInverter(box, i, l); }));
}
