// SPDX-License-Identifier: GPL-3.0-or-later
// Charts (a day's power curve with a date picker, the last N days, a month, a year; site
// or one inverter) and statistics with the period analysis.
import { get } from '../api.js';
import { h, fmt, kv, message, today, daysBefore, t } from '../ui.js';
import { powerChart, energyBars, chartBox } from '../charts.js';

async function inverterOptions(selected) {
  const live = await get('/live');
  return [h('option', { value: '' }, t('all_inverters')),
    ...live.inverters.map((i) => h('option', { value: i.serial, selected: i.serial === selected }, i.name))];
}

export async function chartsPage({ app, args }) {
  const kinds = ['day', 'days', 'month', 'year'];
  let kind = kinds.includes(args[0]) ? args[0] : 'day';
  const serial = h('select', { name: 'serial', 'aria-label': t('inverter') }, await inverterOptions(args[1] || ''));
  const date = h('input', { type: 'date', name: 'date', value: today(), 'aria-label': t('date') });
  const n = h('select', { name: 'n', 'aria-label': t('days') }, [7, 14, 30, 60, 90].map((v) => h('option', { value: v, selected: v === 14 }, v)));
  const month = h('input', { type: 'month', name: 'month', value: today().slice(0, 7), 'aria-label': t('month') });
  const year = h('input', { type: 'number', name: 'year', min: 2000, max: 2100, value: today().slice(0, 4), 'aria-label': t('year') });
  const tabs = h('div.tabs');
  const controls = h('div.row');
  const box = chartBox();
  const info = h('p.muted');
  const out = h('div.card', box, info);
  app.append(h('h1', t('charts')), tabs, h('div.card', controls), out);

  const q = () => (serial.value ? '&serial=' + serial.value : '');
  async function draw() {
    tabs.replaceChildren(...kinds.map((k) => h('button', { class: k === kind ? 'active' : null, 'data-kind': k,
      onclick: () => { kind = k; draw(); } }, t(k))));
    const extra = { day: [date], days: [n], month: [month], year: [year] }[kind];
    controls.replaceChildren(h('label', t('inverter'), serial), ...extra.map((e) => h('label', e.getAttribute('aria-label'), e)));
    info.textContent = '';
    try {
      if (kind === 'day') {
        const d = await get('/charts/day?date=' + (date.value || today()) + q());
        const series = d.inverters.length > 1 || !d.site.length
          ? [...(d.site.length ? [{ label: t('site'), points: d.site }] : []), ...d.inverters.map((i) => ({ label: i.name, points: i.points }))]
          : [{ label: d.inverters[0]?.name || t('site'), points: d.inverters[0]?.points || [] }];
        if (!series.some((s) => s.points.length)) { box.replaceChildren(message('info', t('no_data'))); return; }
        powerChart(box, series);
        info.textContent = fmt.date(d.date) + (d.site_peak_w ? ' · ' + t('peak') + ' ' + fmt.w(d.site_peak_w) : '');
      } else if (kind === 'days') {
        const d = await get('/charts/days?n=' + n.value + q());
        const labels = d.dates.map((x) => x.slice(8) + '/' + x.slice(5, 7));
        energyBars(box, labels, d.inverters.map((i) => ({ label: i.name, values: i.energy_wh })));
        const total = d.inverters.reduce((s, i) => s + i.energy_wh.reduce((a, b) => a + b, 0), 0);
        info.textContent = fmt.date(d.from) + ' – ' + fmt.date(d.to) + ' · ' + t('total') + ' ' + fmt.wh(total);
      } else if (kind === 'month') {
        const d = await get('/charts/month?month=' + (month.value || today().slice(0, 7)) + q());
        energyBars(box, d.energy_wh.map((_, i) => String(i + 1)), [{ label: serial.value ? serial.selectedOptions[0].text : t('site'), values: d.energy_wh }]);
        info.textContent = d.month + ' · ' + t('total') + ' ' + fmt.wh(d.total_wh);
      } else {
        const d = await get('/charts/year?year=' + (year.value || today().slice(0, 4)) + q());
        const names = [...Array(12).keys()].map((m) => new Date(2000, m, 1).toLocaleString(undefined, { month: 'short' }));
        energyBars(box, names, [{ label: serial.value ? serial.selectedOptions[0].text : t('site'), values: d.energy_wh }]);
        info.textContent = d.year + ' · ' + t('total') + ' ' + fmt.wh(d.total_wh);
      }
    } catch (e) {
      box.replaceChildren(message('error', e.message));
    }
  }
  for (const el of [serial, date, n, month, year]) el.addEventListener('change', draw);
  await draw();
}

function statsCard(title, s, energy) {
  const cur = energy.currency;
  return h('div.card', h('h2', title), kv([
    [t('days_data'), s.days_with_data], [t('days_prod'), s.days_with_production],
    [t('mean'), fmt.wh(s.mean_wh)],
    [t('best'), s.best ? fmt.wh(s.best.energy_wh) + ' (' + fmt.date(s.best.date) + ')' : '–'],
    [t('worst'), s.worst ? fmt.wh(s.worst.energy_wh) + ' (' + fmt.date(s.worst.date) + ')' : '–'],
    [t('total'), fmt.kwh(s.total_kwh)],
    [t('money'), fmt.money(s.money, cur)],
    [t('co2'), fmt.num(s.co2_kg, 1) + ' kg']]));
}

export async function statsPage({ app, args }) {
  const only = args[0] ? '?serial=' + args[0] : '';
  const s = await get('/stats' + only);
  app.append(h('h1', t('stats')), h('div.grid', { 'data-testid': 'stats' }, statsCard(t('site'), s.total, s.energy),
    ...s.inverters.map((i) => statsCard(i.name, i, s.energy))));

  const to = h('input', { type: 'date', name: 'to', value: today() });
  const from = h('input', { type: 'date', name: 'from', value: daysBefore(29) });
  const serial = h('select', { name: 'serial' }, await inverterOptions(args[0] || ''));
  const result = h('div');
  const run = async () => {
    try {
      const r = await get(`/stats/period?from=${from.value}&to=${to.value}` + (serial.value ? '&serial=' + serial.value : ''));
      const p = r.period;
      result.replaceChildren(kv([
        [t('calendar_days'), r.calendar_days], [t('days_prod'), p.days_with_production],
        [t('total'), fmt.kwh(p.total_kwh)], [t('mean'), fmt.wh(p.mean_wh)], [t('median'), fmt.wh(p.median_wh)],
        [t('spread'), fmt.wh(p.stddev_wh)],
        [t('money'), fmt.money(p.money, r.energy.currency) + ' (' + fmt.money(p.money_per_day, r.energy.currency) + ' ' + t('per_day') + ')'],
        [t('co2'), fmt.num(p.co2_kg, 1) + ' kg'],
        [t('peak'), p.peak ? fmt.w(p.peak.power_w) + ' (' + fmt.datetime(p.peak.time_s) + ')' : '–'],
        [t('best'), p.best ? fmt.wh(p.best.energy_wh) + ' (' + fmt.date(p.best.date) + ')' : '–'],
        [t('worst'), p.worst ? fmt.wh(p.worst.energy_wh) + ' (' + fmt.date(p.worst.date) + ')' : '–']]));
    } catch (e) {
      result.replaceChildren(message('error', e.message));
    }
  };
  app.append(h('div.card', h('h2', t('period')),
    h('div.row', h('label', t('from'), from), h('label', t('to'), to), h('label', t('inverter'), serial),
      h('button.primary', { onclick: run }, t('analyse'))), result));
  await run();
}
