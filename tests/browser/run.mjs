// SPDX-License-Identifier: GPL-3.0-or-later
// The web interface in a real browser (Debian's Chromium, driven by playwright-core):
// create the admin, log out and in, watch live values change without a reload, see the
// console stream a job, add and pair an inverter, open every chart and the statistics,
// download a backup and restore it through the upload form. Screenshots go to the
// artifacts directory.
//   node run.mjs <harness-binary> <www-dir> <artifacts-dir>
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [harness, www, artifacts] = process.argv.slice(2);
if (!harness || !www || !artifacts) {
  console.error('usage: node run.mjs <harness> <www-dir> <artifacts-dir>');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}: ${e.message.split('\n')[0]}`);
    await page?.screenshot({ path: join(artifacts, 'failed-' + name.replace(/\W+/g, '-') + '.png') }).catch(() => {});
  }
}
function expect(cond, what) { if (!cond) throw new Error(what); }

const server = spawn(harness, ['--www', www, '--cycle-ms', '700'], { stdio: ['pipe', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/port (\d+)/);
    if (m) resolve(Number(m[1]));
  });
  server.on('exit', (code) => reject(new Error('harness exited with ' + code)));
  setTimeout(() => reject(new Error('harness did not start')), 20000);
});
const base = `http://127.0.0.1:${port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
let page = await context.newPage();
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(e.message));
const shot = (name) => page.screenshot({ path: join(artifacts, name + '.png'), fullPage: true });

try {
  await step('first visit asks for the admin account and creates it', async () => {
    await page.goto(base + '/');
    await page.waitForSelector('[data-testid=setup-form]', { timeout: 10000 });
    await shot('01-setup');
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', 'correct horse');
    await page.fill('input[name=again]', 'correct horse');
    await page.click('[data-testid=setup-form] button[type=submit]');
    await page.waitForSelector('nav >> text=Console', { timeout: 10000 });
  });

  await step('log out and log in again', async () => {
    await page.click('nav >> text=Log out');
    await page.waitForSelector('nav >> text=Log in');
    await page.goto(base + '/#/login');
    await page.waitForSelector('[data-testid=login-form]');
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', 'wrong password');
    await page.click('[data-testid=login-form] button[type=submit]');
    await page.waitForSelector('.msg.error');
    await page.fill('input[name=password]', 'correct horse');
    await page.click('[data-testid=login-form] button[type=submit]');
    await page.waitForSelector('nav >> text=Log out');
  });

  await step('home shows every inverter and live values change without reload', async () => {
    await page.goto(base + '/#/');
    await page.waitForSelector('[data-testid=site-power]');
    expect(await page.locator('tbody tr[data-serial]').count() === 2, 'two inverters listed');
    await page.evaluate(() => { window.__marker = 'same page'; });
    const first = await page.textContent('[data-testid=site-today]');
    await page.waitForFunction((old) => document.querySelector('[data-testid=site-today]')?.textContent !== old, first,
      { timeout: 10000 });
    expect(await page.evaluate(() => window.__marker) === 'same page', 'no reload happened');
    await shot('02-home');
  });

  await step('inverter page shows per input values', async () => {
    await page.click('tbody tr[data-serial] a');
    await page.waitForSelector('[data-testid=inv-power]');
    expect(await page.locator('main table tbody tr').count() >= 2, 'input rows');
    await shot('03-inverter');
  });

  await step('console streams a health check result', async () => {
    await page.goto(base + '/#/console');
    await page.click('button:has-text("Health check")');
    await page.waitForFunction(() => /done/.test(document.querySelector('[data-testid=console-out]')?.textContent || ''),
      null, { timeout: 10000 });
    await shot('04-console');
  });

  await step('add an inverter and pair it', async () => {
    await page.goto(base + '/#/inverters');
    await page.click('button:has-text("Add inverter")');
    await page.fill('[data-testid=inverter-form] input[name=name]', 'Carport');
    await page.fill('[data-testid=inverter-form] input[name=serial]', '12345');
    await page.selectOption('[data-testid=inverter-form] select[name=model]', 'DS3');
    await page.click('[data-testid=inverter-form] button[type=submit]');
    await page.waitForSelector('.field-error');  // 12345 is not a 12-digit serial
    await page.fill('[data-testid=inverter-form] input[name=serial]', '703000333333');
    await page.fill('[data-testid=inverter-form] input[name=domoticz_idx]', '120');
    await page.click('[data-testid=inverter-form] button[type=submit]');
    await page.waitForSelector('tr[data-serial="703000333333"]');
    await page.click('tr[data-serial="703000333333"] button:has-text("Pair")');
    await page.waitForFunction(() => /paired 703000333333/.test(document.querySelector('main')?.textContent || ''), null,
      { timeout: 10000 });
    await page.goto(base + '/#/console');
    await page.goto(base + '/#/inverters');
    await page.waitForSelector('tr[data-serial="703000333333"] >> text=0x5E6F');
    await shot('05-inverters');
  });

  await step('every chart draws', async () => {
    await page.goto(base + '/#/charts');
    // Yesterday: today may not have begun yet at the harness's site (UTC, 05:00-20:00).
    const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    await page.fill('input[name=date]', yesterday);
    await page.dispatchEvent('input[name=date]', 'change');
    for (const kind of ['day', 'days', 'month', 'year']) {
      await page.click(`button[data-kind=${kind}]`);
      await page.waitForSelector('.chart canvas', { timeout: 10000 });
      await page.waitForTimeout(300);
      await shot('06-chart-' + kind);
    }
  });

  await step('statistics and period analysis', async () => {
    await page.goto(base + '/#/stats');
    await page.waitForSelector('[data-testid=stats] .card');
    await page.waitForSelector('text=Period analysis');
    const text = await page.textContent('main');
    expect(/Best day/.test(text) && /kWh/.test(text), 'statistics shown');
    await shot('07-stats');
  });

  await step('download a backup and restore it by upload', async () => {
    await page.goto(base + '/#/backup');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Download a backup")')]);
    const file = join(artifacts, 'backup.bin');
    await download.saveAs(file);
    await page.setInputFiles('[data-testid=restore-file]', file);
    await page.click('button:has-text("Upload")');
    await page.waitForFunction(() => /Restored/.test(document.querySelector('[data-testid=restore-result]')?.textContent || ''),
      null, { timeout: 15000 });
    await shot('08-restore');
  });

  await step('Dutch, dark mode and a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(base + '/#/');
    await page.click('#lang');
    await page.click('#theme');
    await page.waitForSelector('h1:has-text("Start")');
    await shot('09-phone-nl-dark');
    await page.click('#lang');
  });

  await step('no script errors on any page', async () => {
    for (const p of ['journal', 'settings', 'mqtt', 'database', 'photo', 'memo', 'system', 'password']) {
      await page.goto(base + '/#/' + p);
      await page.waitForSelector('main h1');
      await page.waitForTimeout(200);
    }
    await shot('10-system');
    expect(consoleErrors.length === 0, 'page errors: ' + consoleErrors.join('; '));
  });
} finally {
  await browser.close();
  server.stdin.end();
  server.kill('SIGTERM');
}

writeFileSync(join(artifacts, 'result.txt'), `${passed} passed, ${failed} failed\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
