// SPDX-License-Identifier: GPL-3.0-or-later
// Journal (stored events; for the admin also the live entries and the wire frames) and the
// console (coordinator and inverter commands, results streamed as they finish).
import { get, post, session, onEvent } from '../api.js';
import { h, fmt, message, today, daysBefore, t, locale, zone } from '../ui.js';

function eventRow(e) {
  return h('tr', h('td', fmt.datetime(e.time_s)), h('td', { class: e.level === 'error' || e.level === 'warning' ? 'bad' : null }, e.level),
    h('td', e.source), h('td', e.message));
}
const eventHead = () => h('thead', h('tr', h('th', t('time')), h('th', t('level')), h('th', t('source')), h('th', t('message'))));

export async function journalPage({ app, onCleanup }) {
  const from = h('input', { type: 'date', value: daysBefore(6) });
  const to = h('input', { type: 'date', value: today() });
  const level = h('select', ['debug', 'info', 'warning', 'error'].map((l) => h('option', { value: l, selected: l === 'info' }, l)));
  const body = h('tbody');
  const load = async () => {
    const r = await get(`/journal?from=${from.value}&to=${to.value}&level=${level.value}&limit=500`);
    body.replaceChildren(...r.events.map(eventRow));
    if (!r.events.length) body.append(h('tr', h('td', { colspan: 4 }, t('no_data'))));
  };
  app.append(h('h1', t('journal')), h('div.card', h('div.row', h('label', t('from'), from), h('label', t('to'), to),
    h('label', t('level'), level), h('button.primary', { onclick: load }, t('show')))), h('div.card', h('table', eventHead(), body)));
  await load();
  if (!(session.loggedIn && session.adminNetwork)) return;

  const recent = h('tbody');
  const frames = h('pre.out', { 'data-testid': 'frames' });
  const addFrame = (f) => {
    frames.append((f.direction === 'sent' ? '→ ' : '← ') + new Date(f.time_ms).toLocaleTimeString(locale(), zone()) + ' ' + f.hex + '  ' + f.description + '\n');
    frames.scrollTop = frames.scrollHeight;
  };
  const [r, fr] = await Promise.all([get('/journal/recent'), get('/journal/frames')]);
  r.entries.slice().reverse().forEach((e) => recent.append(eventRow(e)));
  fr.frames.forEach(addFrame);
  app.append(h('h2', t('recent')), h('div.card', h('table', eventHead(), recent)), h('h2', t('frames')), frames);
  const offJ = onEvent('journal', (e) => recent.prepend(eventRow(e)));
  const offF = onEvent('frame', addFrame);
  onCleanup(() => { offJ(); offF(); });
}

export async function consolePage({ app, onCleanup }) {
  const out = h('pre.out', { 'data-testid': 'console-out' });
  const lines = new Map();
  const finished = new Set();
  const show = (job) => {
    // A quick job's "finished" event can overtake the reply to the request that queued it.
    if (finished.has(job.id) && !job.finished_s) return;
    if (job.finished_s) finished.add(job.id);
    const text = `#${job.id} ${job.action}${job.detail ? ' ' + job.detail : ''}: ${t(job.state)}${job.text ? ' — ' + job.text : ''}\n`;
    if (lines.has(job.id)) lines.get(job.id).textContent = text;
    else { const line = document.createTextNode(text); lines.set(job.id, line); out.append(line); }
    out.scrollTop = out.scrollHeight;
  };
  const run = async (body) => {
    try { show(await post('/console', body)); } catch (e) { out.append('✗ ' + e.message + '\n'); }
  };
  const live = await get('/live');
  const serial = h('select', { name: 'serial' }, live.inverters.map((i) => h('option', { value: i.serial }, i.name + ' · ' + i.serial)));
  const force = h('input', { type: 'checkbox' });
  const hex = h('input', { name: 'hex', placeholder: '2101', size: 30 });
  app.append(h('h1', t('console')),
    h('div.card', h('div.row',
      h('button', { onclick: () => run({ action: 'health' }) }, t('health')),
      h('button', { onclick: () => run({ action: 'start' }) }, t('start')),
      h('button', { onclick: () => run({ action: 'start_pairing' }) }, t('start_pairing')),
      h('button', { onclick: () => run({ action: 'poll' }) }, t('poll')))),
    h('div.card', h('div.row', h('label', t('inverter'), serial),
      h('button', { onclick: () => run({ action: 'poll', serial: serial.value }) }, t('poll')),
      h('button', { onclick: () => run({ action: 'pair', serial: serial.value, force: force.checked }) }, t('pair')),
      h('label.inline', force, t('force')),
      h('button', { onclick: () => run({ action: 'reboot', serial: serial.value }) }, t('reboot_inv')))),
    h('div.card', h('div.row', h('label', t('raw') + ' — ' + t('hex'), hex),
      h('button.primary', { onclick: () => run({ action: 'raw', hex: hex.value }) }, t('send')))),
    h('h2', t('output')), out);
  (await get('/console/jobs')).jobs.slice().reverse().forEach(show);
  onCleanup(onEvent('job', show));
}
