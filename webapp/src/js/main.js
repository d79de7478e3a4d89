// SPDX-License-Identifier: GPL-3.0-or-later
// The page shell: hash routes (#/charts, #/inverter/408000123456), the menu (admin pages
// only when logged in from the home network), language and theme switches.
import { ApiError, refreshSession, session, get, post, reconnectEvents } from './api.js';
import { h, message, errorText, t } from './ui.js';
import { setLang, lang } from './i18n.js';
import { homePage, inverterPage } from './pages/home.js';
import { chartsPage, statsPage } from './pages/charts.js';
import { journalPage, consolePage } from './pages/journal.js';
import { invertersPage, settingsPage, mqttPage } from './pages/admin.js';
import { databasePage, backupPage, photoPage, memoPage } from './pages/data.js';
import { systemPage, passwordPage, loginPage } from './pages/system.js';

const publicRoutes = { '': homePage, home: homePage, inverter: inverterPage, charts: chartsPage, stats: statsPage,
  journal: journalPage, photo: photoPage, memo: memoPage, login: loginPage };
const adminRoutes = { console: consolePage, inverters: invertersPage, settings: settingsPage, mqtt: mqttPage,
  database: databasePage, backup: backupPage, system: systemPage, password: passwordPage };
const publicMenu = ['home', 'charts', 'stats', 'journal', 'photo', 'memo'];
const adminMenu = ['console', 'inverters', 'settings', 'mqtt', 'database', 'backup', 'system', 'password'];

let cleanup = null;

function renderNav(active) {
  const nav = document.getElementById('nav');
  const link = (k) => h('a', { href: '#/' + k, class: k === active ? 'active' : null }, t(k));
  const items = publicMenu.map(link);
  if (session.loggedIn && session.adminNetwork) {
    items.push(h('span.sep'), ...adminMenu.map(link));
    items.push(h('a', { href: '#/', onclick: logout }, t('logout')));
  } else if (session.adminNetwork) {
    items.push(h('span.sep'), h('a', { href: '#/login', class: active === 'login' ? 'active' : null },
      session.setupRequired ? t('setup') : t('login')));
  }
  nav.replaceChildren(...items);
  nav.classList.remove('open');
  document.getElementById('lang').textContent = lang() === 'nl' ? 'EN' : 'NL';
  document.getElementById('foot').textContent = 'apsecu ' + (session.version || '');
}

async function logout(e) {
  e.preventDefault();
  try { await post('/auth/logout'); } catch { /* the session may have expired already */ }
  await refreshSession();
  reconnectEvents();
  location.hash = '#/';
  route();
}

export async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const [name = '', ...args] = location.hash.replace(/^#\/?/, '').split('/');
  const app = document.getElementById('app');
  document.body.classList.remove('night');
  renderNav(name || 'home');
  let view = publicRoutes[name];
  if (!view && adminRoutes[name]) {
    if (!session.adminNetwork) return app.replaceChildren(message('error', t('remote')));
    if (!session.loggedIn) { location.hash = '#/login'; return; }
    view = adminRoutes[name];
  }
  if (!view) view = homePage;
  if (!session.publicPages && !session.loggedIn && view !== loginPage) { location.hash = '#/login'; return; }
  app.replaceChildren();
  try {
    const ctx = { app, args, onCleanup: (fn) => { cleanup = fn; }, relogin: afterLogin };
    await view(ctx);
  } catch (e) {
    // The session ended (it expired, or apsecu restarted and forgot it): the login form,
    // not an error on a page that still shows "Log out".
    if (e instanceof ApiError && e.status === 401 && session.loggedIn) {
      await refreshSession().catch(() => {});
      if (!session.loggedIn) { location.hash = '#/login'; return; }
    }
    app.append(message('error', errorText(e)));
  }
}

async function afterLogin(next) {
  await refreshSession();
  reconnectEvents();  // the stream now carries the admin events
  location.hash = next || '#/';
  route();
}

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem('apsecu.theme', theme);
}

async function boot() {
  const saved = localStorage.getItem('apsecu.theme');
  applyTheme(saved || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  document.getElementById('theme').onclick = () => applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  document.getElementById('lang').onclick = () => { setLang(lang() === 'nl' ? 'en' : 'nl'); route(); };
  document.getElementById('menu-toggle').onclick = () => document.getElementById('nav').classList.toggle('open');
  try {
    await refreshSession();
  } catch (e) {
    document.getElementById('app').replaceChildren(message('error', errorText(e)));
    return;
  }
  // The site's date for the date pickers; without it (private pages, engine starting)
  // they start at the browser's date.
  await get('/live').catch(() => {});
  if (session.setupRequired && session.adminNetwork && !location.hash.startsWith('#/login')) location.hash = '#/login';
  window.addEventListener('hashchange', route);
  route();
}

boot();
