// SPDX-License-Identifier: GPL-3.0-or-later
// Inverters (add, edit, delete, pair; power limit per panel and output on/off), settings and
// MQTT settings. The server validates; its field errors appear next to the inputs.
import { get, post, put, del, onEvent } from '../api.js';
import { h, fmt, kv, message, limitText, showFieldErrors, t } from '../ui.js';

function inverterForm(models, inv, onDone) {
  const isNew = !inv;
  inv = inv || { name: '', serial: '', model: 'YC600', inputs_in_use: [], domoticz_idx: null, panel_power_w: 300 };
  const model = h('select', { name: 'model' }, models.map((m) => h('option', { value: m.model, selected: m.model === inv.model }, m.model)));
  const inputsBox = h('div.row');
  const drawInputs = () => {
    const n = models.find((m) => m.model === model.value).inputs;
    inputsBox.replaceChildren(...[...Array(n).keys()].map((i) => h('label.inline',
      h('input', { type: 'checkbox', 'data-input': i, checked: inv.inputs_in_use.length ? inv.inputs_in_use[i] !== false : true }), String(i + 1))));
  };
  model.onchange = drawInputs;
  drawInputs();
  const status = h('div');
  const form = h('form.stack', { 'data-testid': 'inverter-form', novalidate: true },
    h('label', t('name'), h('input', { name: 'name', value: inv.name, required: true, maxlength: 40 })),
    h('label', t('serial'), h('input', { name: 'serial', value: inv.serial, inputmode: 'numeric', pattern: '[0-9]{12}', required: true })),
    h('label', t('model'), model),
    h('label', t('inputs'), inputsBox),
    h('label', t('domoticz'), h('input', { name: 'domoticz_idx', type: 'number', min: 0, step: 1, value: inv.domoticz_idx ?? '' })),
    h('label', 'W/panel', h('input', { name: 'panel_power_w', type: 'number', min: 1, max: 1000, value: inv.panel_power_w })),
    h('div.row', h('button.primary', { type: 'submit' }, t('save')), h('button', { type: 'button', onclick: () => onDone(false) }, t('cancel'))),
    status);
  form.onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const idx = f.get('domoticz_idx');
    const body = { name: f.get('name'), serial: f.get('serial').trim(), model: model.value,
      inputs_in_use: [...inputsBox.querySelectorAll('input')].map((c) => c.checked),
      domoticz_idx: idx === '' ? null : Number(idx), panel_power_w: Number(f.get('panel_power_w')) };
    if (idx !== '' && !/^\d+$/.test(idx)) body.domoticz_idx = idx;  // let the server explain
    try {
      if (isNew) await post('/inverters', body); else await put('/inverters/' + inv.serial, body);
      onDone(true);
    } catch (err) {
      showFieldErrors(form, err);
      status.replaceChildren(message('error', err.message));
    }
  };
  return form;
}

// The owner's controls per inverter. The stock ECU's set_maxpower takes watts per panel, so
// the input is per panel and the inverter's maximum (per panel × inputs) is shown beside it.
// The state is the live one (what the inverter answered), else what the settings kept.
function controlsCard(r, run) {
  const inputsOf = (inv) => (r.models.find((m) => m.model === inv.model) || { inputs: 2 }).inputs;
  const rows = r.inverters.map((inv) => {
    const c = inv.live || inv;
    const n = inputsOf(inv);
    const on = c.output_on !== false;
    const limit = h('input.narrow', { type: 'number', name: 'limit_per_panel_w', min: 20, max: 500, step: 1, size: 5,
      value: c.power_limit_per_panel_w ?? '', placeholder: '20–500', title: t('limit_hint'), 'aria-label': t('limit_per_panel') });
    const max = h('span.muted', { 'data-testid': 'limit-max' });
    const drawMax = () => {
      const w = Number(limit.value);
      max.textContent = limit.value === '' || !Number.isFinite(w) ? '' : `W × ${n} = ${fmt.w(w * n)}`;
    };
    limit.oninput = drawMax;
    drawMax();
    const toggle = on
      ? h('button.danger', { onclick: () => { if (confirm(t('confirm_off'))) run(inv.serial, 'off'); } }, t('turn_off'))
      : h('button.primary', { onclick: () => run(inv.serial, 'on') }, t('turn_on'));
    return h('tr', { 'data-control': inv.serial },
      h('td', inv.name, h('div.muted', inv.model + ' · ' + inv.serial)),
      h('td', h('div.row', h('span', { class: on ? 'ok' : 'bad', 'data-testid': 'output-state' }, on ? t('output_is_on') : t('output_is_off')), toggle)),
      h('td', h('div.row', limit, max,
        h('button', { onclick: () => run(inv.serial, 'power_limit', { limit_per_panel_w: limit.value === '' ? null : Number(limit.value) }) }, t('set_limit')))),
      h('td', { 'data-testid': 'limit-state' }, limitText(c, n)));
  });
  return h('div.card', { 'data-testid': 'controls' }, h('h2', t('controls')), h('p.muted', t('limit_hint')),
    h('table', h('thead', h('tr', h('th', t('name')), h('th', t('grid_output')), h('th', t('limit_per_panel')), h('th', t('limit_state')))),
      h('tbody', rows)));
}

export async function invertersPage({ app, onCleanup }) {
  const list = h('div');
  const editor = h('div');
  const controls = h('div');
  const jobs = h('div', { 'data-testid': 'jobs' });
  app.append(h('h1', t('inverters')), editor, list, jobs, controls);
  // A quick job's "finished" event can overtake the reply to the request that queued it.
  const finished = new Set();
  let load = async () => {};
  onCleanup(onEvent('job', (j) => {
    if (j.finished_s) finished.add(j.id);
    jobs.replaceChildren(message(j.state === 'failed' ? 'error' : 'info', `${j.action} ${j.detail}: ${t(j.state)} ${j.text}`));
    // What the inverter answered changes the state shown.
    if (j.finished_s && ['on', 'off', 'power_limit'].includes(j.action)) load();
  }));
  const queued = (j) => { if (!finished.has(j.id)) jobs.replaceChildren(message('info', `${j.action} ${j.detail}: ${t(j.state)}`)); };
  const run = async (serial, action, body) => {
    try { queued(await post(`/inverters/${serial}/${action}`, body)); } catch (e) { jobs.replaceChildren(message('error', e.message)); }
  };
  load = async () => {
    const r = await get('/inverters');
    const edit = (inv) => editor.replaceChildren(h('div.card', inverterForm(r.models, inv, (saved) => { editor.replaceChildren(); if (saved) load(); })));
    list.replaceChildren(h('p', h('button.primary', { onclick: () => edit(null) }, t('add'))),
      h('div.card', h('table', h('thead', h('tr', ...['name', 'serial', 'model', 'inputs', 'domoticz', 'paired', ''].map((k) => h('th', k ? t(k) : '')))),
        h('tbody', r.inverters.map((inv) => h('tr', { 'data-serial': inv.serial },
          h('td', inv.name), h('td', inv.serial), h('td', inv.model),
          h('td', inv.inputs_in_use.length ? inv.inputs_in_use.map((u) => (u ? '●' : '○')).join(' ') : '●'),
          h('td', inv.domoticz_idx ?? '–'),
          h('td', inv.paired ? '0x' + inv.short_address.toString(16).toUpperCase().padStart(4, '0') : t('not_paired')),
          h('td', h('div.row',
            h('button', { onclick: () => edit(inv) }, t('edit')),
            h('button', { onclick: async () => queued(await post('/inverters/' + inv.serial + '/pair', { force: true })) }, t('pair')),
            h('button', { onclick: () => post('/inverters/' + inv.serial + '/poll') }, t('poll')),
            h('button.danger', { onclick: async () => { if (confirm(t('confirm_delete'))) { await del('/inverters/' + inv.serial); load(); } } }, t('delete'))))))))));
    controls.replaceChildren(controlsCard(r, run));
  };
  await load();
}

const field = (label, name, value, attrs = {}) => h('label', label, h('input', { name, value: value ?? '', ...attrs }));

export async function settingsPage({ app }) {
  const s = await get('/settings');
  const status = h('div');
  const sel = (name, options, value) => h('select', { name }, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
  const form = h('form.stack',
    h('h2', t('location')),
    field(t('latitude'), 'location.latitude', s.location.latitude, { type: 'number', step: 'any' }),
    field(t('longitude'), 'location.longitude', s.location.longitude, { type: 'number', step: 'any' }),
    field(t('timezone'), 'timezone', s.timezone, { placeholder: 'Europe/Amsterdam' }),
    h('h2', t('polling')),
    field(t('interval'), 'polling.interval_s', s.polling.interval_s, { type: 'number' }),
    field(t('sunrise_offset'), 'polling.sunrise_offset_min', s.polling.sunrise_offset_min, { type: 'number' }),
    field(t('sunset_offset'), 'polling.sunset_offset_min', s.polling.sunset_offset_min, { type: 'number' }),
    h('label', t('night_mode'), sel('polling.night', [['zero_power_keep_energy', t('zero_power')], ['keep_last_values', t('keep_last')]], s.polling.night)),
    h('h2', t('energy')),
    field(t('price'), 'energy.price_per_kwh', s.energy.price_per_kwh, { type: 'number', step: 'any' }),
    field(t('currency'), 'energy.currency', s.energy.currency),
    field(t('co2_factor'), 'energy.co2_kg_per_kwh', s.energy.co2_kg_per_kwh, { type: 'number', step: 'any' }),
    h('h2', t('radio')),
    field(t('ecu_id'), 'radio.ecu_id', s.radio.ecu_id),
    field(t('port'), 'radio.port', s.radio.port),
    field(t('reset_line'), 'radio.reset_line', s.radio.reset_line),
    h('label', t('energy_scale'), sel('radio.energy_scale', [['community', 'community'], ['openaps', 'openaps']], s.radio.energy_scale)),
    h('h2', t('storage')),
    field(t('retention'), 'storage.samples_retention_days', s.storage.samples_retention_days, { type: 'number' }),
    h('button.primary', { type: 'submit' }, t('save')), status);
  form.onsubmit = async (e) => {
    e.preventDefault();
    const patch = {};
    for (const el of form.querySelectorAll('[name]')) {
      const [group, key] = el.name.includes('.') ? el.name.split('.') : [null, el.name];
      let v = el.value;
      if (el.type === 'number') v = v === '' ? null : Number(v);
      if (group) (patch[group] ||= {})[key] = v; else patch[key] = v;
    }
    try {
      await put('/settings', patch);
      showFieldErrors(form, null);
      status.replaceChildren(message('info', t('saved')));
    } catch (err) {
      showFieldErrors(form, err);
      status.replaceChildren(message('error', err.message));
    }
  };
  app.append(h('h1', t('settings')), h('div.card', form));
}

// The live link, refreshed while the page is open: whether readings reach the broker is
// what a user with a silent Home Assistant wants to know first.
function mqttStatusCard(onCleanup) {
  const box = h('div.card', { 'data-testid': 'mqtt-status' });
  const draw = async () => {
    try {
      const s = await get('/mqtt/status');
      const state = h('span', { class: s.state === 'connected' ? 'ok' : s.state === 'waiting' ? 'bad' : null }, t('state_' + s.state));
      box.replaceChildren(h('h2', t('link')), kv([
        [t('link'), state],
        s.endpoint && [t('broker'), s.endpoint],
        s.connected_since_s && [t('since'), fmt.datetime(s.connected_since_s)],
        s.last_error && [t('last_error'), s.last_error],
        s.state !== 'off' && [t('delivered'), String(s.delivered)],
        s.state !== 'off' && [t('queued'), `${s.queued} (${Math.ceil(s.queue_bytes / 1024)} KiB)`],
        s.dropped > 0 && [t('dropped'), String(s.dropped)],
        s.state !== 'off' && [t('commands'), `${s.commands} / ${s.commands_rejected} ✗`],
      ]));
    } catch (e) {
      box.replaceChildren(message('error', e.message));
    }
  };
  draw();
  const timer = setInterval(draw, 5000);
  onCleanup(() => clearInterval(timer));
  return box;
}

export async function mqttPage({ app, onCleanup }) {
  const m = await get('/mqtt');
  const status = h('div');
  const check = (name, label) => h('label.inline', h('input', { type: 'checkbox', name, checked: m[name] }), label);
  const form = h('form.stack',
    check('enabled', t('enabled')),
    field(t('host'), 'host', m.host), field(t('port'), 'port', m.port, { type: 'number' }),
    field(t('topic'), 'topic', m.topic), field('Client id', 'client_id', m.client_id), field(t('user'), 'username', m.username),
    field(t('pass'), 'password', '', { type: 'password', placeholder: m.password_set ? t('password_set') : '' }),
    h('label', 'QoS', h('select', { name: 'qos' }, [0, 1, 2].map((q) => h('option', { value: q, selected: q === m.qos }, String(q))))),
    check('retain', t('retain')),
    field('Keepalive (s)', 'keepalive_s', m.keepalive_s, { type: 'number' }),
    check('tls', 'TLS'),
    field('CA file', 'ca_file', m.ca_file), field('Client certificate', 'cert_file', m.cert_file), field('Client key', 'key_file', m.key_file),
    check('ha_discovery', 'Home Assistant discovery'),
    field('Discovery prefix', 'ha_prefix', m.ha_prefix),
    field('Base topic', 'base_topic', m.base_topic),
    h('label', t('format'), h('select', { name: 'format' }, ['domoticz', 'seed_arrays', 'seed_flat', 'seed_full', 'seed_channels', 'apsecu'].map((f) => h('option', { value: f, selected: f === m.format }, f)))),
    field('Queue (messages)', 'queue_max_messages', m.queue_max_messages, { type: 'number' }),
    h('div.row', h('button.primary', { type: 'submit' }, t('save')),
      h('button', { type: 'button', onclick: async () => { try { status.replaceChildren(message('info', (await post('/mqtt/test')).message)); } catch (e) { status.replaceChildren(message('error', e.message)); } } }, t('test'))),
    status);
  form.onsubmit = async (e) => {
    e.preventDefault();
    const body = {};
    const numbers = ['port', 'qos', 'keepalive_s', 'queue_max_messages'];
    for (const el of form.querySelectorAll('[name]')) {
      body[el.name] = el.type === 'checkbox' ? el.checked : numbers.includes(el.name) ? Number(el.value) : el.value;
    }
    try { await put('/mqtt', body); showFieldErrors(form, null); status.replaceChildren(message('info', t('saved'))); } catch (err) {
      showFieldErrors(form, err); status.replaceChildren(message('error', err.message));
    }
  };
  app.append(h('h1', t('mqtt')), mqttStatusCard(onCleanup), h('div.card', form));
}
