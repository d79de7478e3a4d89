// SPDX-License-Identifier: GPL-3.0-or-later
// System information (with reboot/shutdown where permitted), password change, and the
// login / first-run setup page.
import { get, post, put, session } from '../api.js';
import { h, fmt, kv, message, t } from '../ui.js';

export async function systemPage({ app }) {
  const s = await get('/system');
  const out = h('div');
  const act = (what) => async () => {
    if (!confirm(t('confirm_power'))) return;
    try { await post('/system/' + what); out.replaceChildren(message('info', t(what) + '…')); } catch (e) { out.replaceChildren(message('error', e.message)); }
  };
  app.append(h('h1', t('system')), h('div.card', { 'data-testid': 'system' }, kv([
    [t('version'), s.version], [t('hostname'), s.hostname], [t('time'), fmt.datetime(s.time_s)],
    [t('sys_uptime'), fmt.duration(s.uptime_s)], [t('apsecu_uptime'), fmt.duration(s.apsecu_uptime_s)],
    [t('cpus'), s.cpus], [t('load'), s.load ? s.load.map((x) => fmt.num(x, 2)).join(' / ') : '–'],
    [t('memory'), s.memory?.available_kib ? fmt.bytes(s.memory.available_kib * 1024) + ' / ' + fmt.bytes(s.memory.total_kib * 1024) : '–'],
    [t('disk'), s.disk ? fmt.bytes(s.disk.free_bytes) + ' / ' + fmt.bytes(s.disk.total_bytes) : '–'],
    [t('soc_temp'), s.temperature_c === null ? '–' : fmt.num(s.temperature_c, 1) + ' °C']])),
  s.power_actions ? h('div.card.row', h('button.danger', { onclick: act('reboot') }, t('reboot')), h('button.danger', { onclick: act('shutdown') }, t('shutdown')))
    : h('p.muted', t('power_off_note')), out);
}

export async function passwordPage({ app }) {
  const out = h('div');
  const form = h('form.stack',
    h('label', t('current_pass'), h('input', { type: 'password', name: 'current', autocomplete: 'current-password', required: true })),
    h('label', t('new_pass'), h('input', { type: 'password', name: 'new', autocomplete: 'new-password', minlength: 8, required: true })),
    h('label', t('pass_again'), h('input', { type: 'password', name: 'again', autocomplete: 'new-password', required: true })),
    h('button.primary', { type: 'submit' }, t('change')), out);
  form.onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    if (f.get('new') !== f.get('again')) return out.replaceChildren(message('error', t('pass_mismatch')));
    try { await put('/auth/password', { current: f.get('current'), new: f.get('new') }); form.reset(); out.replaceChildren(message('info', t('changed'))); } catch (err) {
      out.replaceChildren(message('error', err.message));
    }
  };
  app.append(h('h1', t('password')), h('div.card', form));
}

export async function loginPage({ app, relogin }) {
  if (!session.adminNetwork) return app.append(message('error', t('remote')));
  const setup = session.setupRequired;
  const out = h('div');
  const form = h('form.stack', { 'data-testid': setup ? 'setup-form' : 'login-form' },
    setup ? h('p', t('setup_intro')) : null,
    h('label', t('user'), h('input', { name: 'user', autocomplete: 'username', value: setup ? 'admin' : '', required: true })),
    h('label', t('pass'), h('input', { type: 'password', name: 'password', autocomplete: setup ? 'new-password' : 'current-password', required: true })),
    setup ? h('label', t('pass_again'), h('input', { type: 'password', name: 'again', autocomplete: 'new-password', required: true })) : null,
    h('button.primary', { type: 'submit' }, setup ? t('setup') : t('login')), out);
  form.onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    if (setup && f.get('password') !== f.get('again')) return out.replaceChildren(message('error', t('pass_mismatch')));
    try {
      await post(setup ? '/auth/setup' : '/auth/login', { user: f.get('user'), password: f.get('password') });
      await relogin('#/');
    } catch (err) {
      out.replaceChildren(message('error', err.message));
    }
  };
  app.append(h('h1', setup ? t('setup') : t('login')), h('div.card', form));
}
