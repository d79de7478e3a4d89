// SPDX-License-Identifier: GPL-3.0-or-later
// Database tools (query a day, edit a day's total, wipe one inverter, CSV export, audit
// log), backup and restore (upload with progress), the photo and the memo.
import { get, put, post, del, upload, session } from '../api.js';
import { h, fmt, kv, message, today, daysBefore, t } from '../ui.js';

const yesterday = () => daysBefore(1);

export async function databasePage({ app }) {
  const inv = (await get('/db/inverters')).inverters;
  const serialSelect = (name) => h('select', { name }, inv.map((i) => h('option', { value: i.serial }, i.serial + ' · ' + i.model)));
  const out = h('div');
  const qSerial = serialSelect('serial');
  const qDate = h('input', { type: 'date', value: yesterday() });
  const query = async () => {
    try {
      const r = await get(`/db/day?date=${qDate.value}&serial=${qSerial.value}`);
      out.replaceChildren(r.rows.length ? h('table', h('thead', h('tr', ...['serial', 'date', 'energy', 'peak', 'samples'].map((k) => h('th', t(k))))),
        h('tbody', r.rows.map((x) => h('tr', h('td', x.serial), h('td', x.date), h('td', fmt.wh(x.energy_wh) + (x.edited ? ' (' + t('edited') + ')' : '')),
          h('td', fmt.w(x.peak_power_w) + ' ' + fmt.time(x.peak_time_s)), h('td', x.samples))))) : message('info', t('no_data')));
    } catch (e) { out.replaceChildren(message('error', e.message)); }
  };
  const eSerial = serialSelect('serial');
  const eDate = h('input', { type: 'date', value: yesterday() });
  const eWh = h('input', { type: 'number', min: 0, step: 1 });
  const eReason = h('input', { maxlength: 500 });
  const eOut = h('div');
  const edit = async () => {
    try {
      await put('/db/day-total', { serial: eSerial.value, date: eDate.value, energy_wh: Number(eWh.value), reason: eReason.value });
      eOut.replaceChildren(message('info', t('saved'))); loadAudit();
    } catch (e) { eOut.replaceChildren(message('error', e.message)); }
  };
  const wSerial = serialSelect('serial');
  const wConfirm = h('input', { inputmode: 'numeric' });
  const wReason = h('input', { maxlength: 500 });
  const wOut = h('div');
  const wipe = async () => {
    try {
      await post('/db/wipe', { serial: wSerial.value, confirm: wConfirm.value, reason: wReason.value });
      wOut.replaceChildren(message('info', t('saved'))); loadAudit();
    } catch (e) { wOut.replaceChildren(message('error', e.message)); }
  };
  const xFrom = h('input', { type: 'date', value: yesterday() });
  const xTo = h('input', { type: 'date', value: today() });
  const xKind = h('select', h('option', { value: 'days' }, 'days'), h('option', { value: 'samples' }, t('samples')));
  const xLink = h('a.button', { href: '#', onclick: (e) => { e.currentTarget.href = `/api/v1/db/export.csv?from=${xFrom.value}&to=${xTo.value}&kind=${xKind.value}`; } , download: '' }, t('download'));
  const audit = h('tbody');
  const loadAudit = async () => {
    const a = await get('/audit?limit=50');
    audit.replaceChildren(...a.entries.map((x) => h('tr', h('td', fmt.datetime(x.time_s)), h('td', x.actor), h('td', x.action), h('td', x.reason),
      h('td', JSON.stringify(x.new)))));
  };
  app.append(h('h1', t('database')),
    h('div.card', h('h2', t('query')), h('div.row', h('label', t('serial'), qSerial), h('label', t('date'), qDate), h('button.primary', { onclick: query }, t('query'))), out),
    h('div.card', h('h2', t('edit_total')), h('div.row', h('label', t('serial'), eSerial), h('label', t('date'), eDate), h('label', t('energy_wh'), eWh)),
      h('label', t('reason'), eReason), h('p', h('button.primary', { onclick: edit }, t('save'))), eOut),
    h('div.card', h('h2', t('wipe')), h('div.row', h('label', t('serial'), wSerial), h('label', t('confirm_serial'), wConfirm)),
      h('label', t('reason'), wReason), h('p', h('button.danger', { onclick: wipe }, t('delete'))), wOut),
    h('div.card', h('h2', t('export')), h('div.row', h('label', t('from'), xFrom), h('label', t('to'), xTo), h('label', t('kind'), xKind), xLink)),
    h('div.card', h('h2', t('audit')), h('table', audit)));
  await loadAudit();
}

export async function backupPage({ app }) {
  const file = h('input', { type: 'file', name: 'backup', 'data-testid': 'restore-file' });
  const bar = h('progress', { max: 1, value: 0, hidden: true });
  const out = h('div', { 'data-testid': 'restore-result' });
  const go = async () => {
    if (!file.files.length) return out.replaceChildren(message('error', t('choose_file')));
    bar.hidden = false;
    out.replaceChildren(message('info', t('uploading')));
    try {
      const r = await upload('POST', '/restore', file.files[0], (p) => { bar.value = p; });
      out.replaceChildren(message('info', t('restored') + ': ' + r.message));
    } catch (e) { out.replaceChildren(message('error', e.message)); }
  };
  app.append(h('h1', t('backup')),
    h('div.card', h('h2', t('download')), h('a.button', { href: '/api/v1/backup', download: '' }, t('download'))),
    h('div.card', h('h2', t('restore')), h('p.muted', t('restore_note')), h('div.stack', file, bar, h('div', h('button.primary', { onclick: go }, t('upload'))), out)));
}

export async function photoPage({ app }) {
  const box = h('div.card');
  const show = () => box.replaceChildren(h('img.photo', { src: '/api/v1/photo?' + Date.now(), alt: t('photo'),
    onerror: (e) => e.target.replaceWith(h('p.muted', t('photo_none'))) }));
  show();
  app.append(h('h1', t('photo')), box);
  if (!(session.loggedIn && session.adminNetwork)) return;
  const file = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp' });
  const bar = h('progress', { max: 1, value: 0, hidden: true });
  const out = h('div');
  app.append(h('div.card', h('h2', t('photo_upload')), h('div.stack', file, bar, h('div.row',
    h('button.primary', { onclick: async () => {
      if (!file.files.length) return;
      bar.hidden = false;
      try { await upload('PUT', '/photo', file.files[0], (p) => { bar.value = p; }); out.replaceChildren(); show(); } catch (e) { out.replaceChildren(message('error', e.message)); }
    } }, t('upload')),
    h('button.danger', { onclick: async () => { await del('/photo'); show(); } }, t('remove'))), out)));
}

export async function memoPage({ app }) {
  const m = await get('/memo');
  app.append(h('h1', t('memo')), h('p.muted', t('memo_intro')));
  if (!(session.loggedIn && session.adminNetwork)) {
    app.append(h('div.card', h('pre.out', m.text || '–'), m.updated_s ? h('p.muted', t('updated') + ' ' + fmt.datetime(m.updated_s)) : ''));
    return;
  }
  const text = h('textarea', { name: 'memo', maxlength: 65536 }, m.text);
  const out = h('div');
  app.append(h('div.card.stack', text, h('div', h('button.primary', { onclick: async () => {
    try { const r = await put('/memo', { text: text.value }); out.replaceChildren(message('info', t('saved') + ' ' + fmt.datetime(r.updated_s))); } catch (e) { out.replaceChildren(message('error', e.message)); }
  } }, t('save'))), out));
}
