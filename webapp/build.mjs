// SPDX-License-Identifier: GPL-3.0-or-later
// Copies the front end and the one library it uses into the served directory
// ($APSECU_WWW_OUT, default ./dist) and prints the page weight. No bundler: the sources
// are ES modules the browser loads as they are; the server gzips them on the way out.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.env.APSECU_WWW_OUT || join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'vendor'), { recursive: true });
cpSync(join(here, 'src'), out, { recursive: true });
const uplot = join(here, 'node_modules', 'uplot', 'dist');
cpSync(join(uplot, 'uPlot.iife.min.js'), join(out, 'vendor', 'uPlot.iife.min.js'));
cpSync(join(uplot, 'uPlot.min.css'), join(out, 'vendor', 'uPlot.min.css'));
cpSync(join(here, 'node_modules', 'uplot', 'LICENSE'), join(out, 'vendor', 'uPlot.LICENSE.txt'));

let raw = 0;
let gz = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else {
      const data = readFileSync(p);
      raw += data.length;
      gz += gzipSync(data, { level: 9 }).length;
    }
  }
};
walk(out);
console.log(`webapp: ${out}: ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzipped`);
