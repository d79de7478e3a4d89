// SPDX-License-Identifier: GPL-3.0-or-later
// Every t('key') the pages use exists in English and Dutch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const js = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'js');
const i18n = readFileSync(join(js, 'i18n.js'), 'utf8');
const table = (name) => {
  const body = i18n.slice(i18n.indexOf(`const ${name} = {`), i18n.indexOf('};', i18n.indexOf(`const ${name} = {`)));
  return new Set([...body.matchAll(/(?:^|,)\s*([a-z0-9_]+):\s*'/gm)].map((m) => m[1]));
};

test('every key used by the pages is translated', () => {
  const en = table('en');
  const nl = table('nl');
  const files = [join(js, 'main.js'), ...readdirSync(join(js, 'pages')).map((f) => join(js, 'pages', f))];
  const used = new Set();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-z0-9_]+)'\)/g)) used.add(m[1]);
  assert.ok(used.size > 50);
  for (const k of used) {
    assert.ok(en.has(k), `missing English text for ${k}`);
    assert.ok(nl.has(k), `missing Dutch text for ${k}`);
  }
  for (const k of en) assert.ok(nl.has(k), `missing Dutch text for ${k}`);
});
