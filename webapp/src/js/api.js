// SPDX-License-Identifier: GPL-3.0-or-later
// The JSON API (docs/http-api.md): fetch with the session's CSRF token on writes, errors as
// thrown ApiError with the server's stable code and message, and the live event stream.

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields || [];
  }
}

export const session = { csrf: null, loggedIn: false, user: null, adminNetwork: false, setupRequired: false,
  publicPages: true, powerActions: false, version: '' };

async function parse(res) {
  const type = res.headers.get('Content-Type') || '';
  const body = type.startsWith('application/json') ? await res.json() : await res.text();
  if (!res.ok) {
    const e = (body && body.error) || {};
    throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || res.statusText, e.fields);
  }
  return body;
}

export async function call(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    if (session.csrf) init.headers['X-CSRF-Token'] = session.csrf;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  return parse(await fetch('/api/v1' + path, init));
}

// The site's local date, from the latest live values: "today" in the date pickers is the
// installation's day, which the browser's clock does not know (another zone, or the
// demo's simulated clock).
export const site = { date: null, timezone: null };
const noteLive = (live) => {
  if (live && live.date) site.date = live.date;
  if (live && live.timezone) site.timezone = live.timezone;
};

export const get = async (p) => {
  const body = await call('GET', p);
  if (p === '/live') noteLive(body);
  return body;
};
export const post = (p, b) => call('POST', p, b === undefined ? {} : b);
export const put = (p, b) => call('PUT', p, b);
export const del = (p) => call('DELETE', p);

export async function refreshSession() {
  const s = await get('/auth');
  Object.assign(session, { csrf: s.csrf, loggedIn: s.logged_in, user: s.user, adminNetwork: s.admin_network,
    setupRequired: s.setup_required, publicPages: s.public_pages, powerActions: s.power_actions, version: s.version });
  return session;
}

// Uploads a file as the raw request body with progress (fetch has no upload progress).
export function upload(method, path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, '/api/v1' + path);
    x.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    if (session.csrf) x.setRequestHeader('X-CSRF-Token', session.csrf);
    x.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    x.onload = () => {
      let body = null;
      try { body = JSON.parse(x.responseText); } catch { body = null; }
      if (x.status >= 200 && x.status < 300) resolve(body);
      else reject(new ApiError(x.status, body?.error?.code || 'http_' + x.status, body?.error?.message || x.statusText));
    };
    x.onerror = () => reject(new ApiError(0, 'network', 'the connection failed'));
    x.send(file);
  });
}

// One EventSource for the whole page; listeners per event type.
const listeners = new Map();
let source = null;
export function onEvent(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  connect();
  return () => listeners.get(type).delete(fn);
}
export function reconnectEvents() {
  if (source) source.close();
  source = null;
  connect();
}
function connect() {
  if (source) return;
  source = new EventSource('/api/v1/events');
  // EventSource retries a lost connection by itself but gives up on an HTTP error, such as
  // the 503 of a server that has just restarted and has no live values yet.
  source.onerror = (e) => {
    if (e.target !== source || source.readyState !== EventSource.CLOSED) return;
    source = null;
    setTimeout(connect, 3000);
  };
  for (const type of ['live', 'journal', 'frame', 'job', 'lost']) {
    source.addEventListener(type, (e) => {
      const data = JSON.parse(e.data);
      if (type === 'live') noteLive(data);
      for (const fn of listeners.get(type) || []) fn(data);
    });
  }
}
