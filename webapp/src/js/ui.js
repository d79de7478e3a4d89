// SPDX-License-Identifier: GPL-3.0-or-later
// DOM helpers and number/time formatting in the chosen language.
import { lang, t } from './i18n.js';
import { site } from './api.js';

// h('div.card', {onclick}, child, ...): a tiny element builder; strings become text nodes.
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const locale = () => (lang() === 'nl' ? 'nl-NL' : 'en-GB');
// Times in the site's zone (from /live), whatever zone the browser is in.
export const zone = (o = {}) => (site.timezone ? { ...o, timeZone: site.timezone } : o);
const num = (v, d) => (v === null || v === undefined ? '–'
  : Number(v).toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d }));
export const fmt = {
  num,
  w: (v) => (v === null || v === undefined ? '–' : num(v, v >= 100 ? 0 : 1) + ' W'),
  wh: (v) => (v === null || v === undefined ? '–' : v >= 10000 ? num(v / 1000, 2) + ' kWh' : num(v, 0) + ' Wh'),
  kwh: (v) => num(v, 2) + ' kWh',
  v: (v) => num(v, 1) + ' V',
  a: (v) => num(v, 2) + ' A',
  time: (s) => (s ? new Date(s * 1000).toLocaleTimeString(locale(), zone({ hour: '2-digit', minute: '2-digit' })) : '–'),
  datetime: (s) => (s ? new Date(s * 1000).toLocaleString(locale(), zone({ dateStyle: 'short', timeStyle: 'short' })) : '–'),
  date: (iso) => (iso ? new Date(iso + 'T12:00:00').toLocaleDateString(locale(), { dateStyle: 'medium' }) : '–'),
  money: (v, cur) => { try { return Number(v).toLocaleString(locale(), { style: 'currency', currency: cur }); }
    catch { return num(v, 2) + ' ' + cur; } },
  duration: (s) => { if (s === null || s === undefined) return '–'; const d = Math.floor(s / 86400);
    const hh = Math.floor((s % 86400) / 3600); const mm = Math.floor((s % 3600) / 60);
    return (d ? d + 'd ' : '') + hh + 'h ' + mm + 'm'; },
  bytes: (b) => (b === null || b === undefined ? '–' : b > 1e9 ? num(b / 1e9, 1) + ' GB' : num(b / 1e6, 1) + ' MB'),
};

export function message(kind, text) { return h('div.msg.' + kind, { role: kind === 'error' ? 'alert' : 'status' }, text); }
export function errorText(e) { return e && e.message ? e.message : String(e); }

// Shows an ApiError's field errors next to the inputs named like the fields.
export function showFieldErrors(form, e) {
  form.querySelectorAll('.field-error').forEach((x) => x.remove());
  for (const f of (e && e.fields) || []) {
    const input = form.querySelector(`[name="${CSS.escape(f.field)}"]`);
    const note = h('span.field-error', f.message);
    if (input) input.closest('label')?.append(note) ?? input.after(note);
  }
}

// An inverter's power limit and what came of it (live values or, after a restart, the settings):
// "150 W × 4 = 600 W · accepted by the inverter — detail".
export function limitText(c, inputs) {
  if (c.power_limit_per_panel_w === null || c.power_limit_per_panel_w === undefined) return t('limit_none');
  const total = c.power_limit_w ?? c.power_limit_per_panel_w * inputs;
  const state = c.limit_state && c.limit_state !== 'none' ? ' · ' + t('limit_' + c.limit_state) : '';
  return `${fmt.w(c.power_limit_per_panel_w)} × ${inputs} = ${fmt.w(total)}${state}${c.limit_detail ? ' — ' + c.limit_detail : ''}`;
}

export function kv(rows) {
  return h('dl.kv', rows.filter(Boolean).map(([k, v]) => [h('dt', k), h('dd', v)]));
}

const localDate = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
// YYYY-MM-DD of the site's day; the browser's own day only until the server has told it.
export const today = () => site.date || localDate(new Date());
export const daysBefore = (n) => {
  const d = new Date(today() + 'T12:00:00Z');
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
};
export function page(title, ...children) { return [h('h1', title), ...children]; }
export { t };
