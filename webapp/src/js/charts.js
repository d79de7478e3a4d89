// SPDX-License-Identifier: GPL-3.0-or-later
// uPlot wrappers: a day's power curve (one line per series) and energy bars.
import { h, locale, zone } from './ui.js';

const palette = ['#d97706', '#2563eb', '#16a34a', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];
const axisColor = () => getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#888';

function size(el) { return { width: Math.max(280, el.clientWidth || 600), height: 300 }; }

function axes(yLabel, xValues) {
  const stroke = axisColor();
  const grid = { stroke: 'rgba(128,128,128,.2)' };
  return [
    { stroke, grid, ...(xValues ? { values: xValues } : {}) },
    { stroke, grid, label: yLabel, size: 60 },
  ];
}

// A container that keeps the chart as wide as its box (phones rotate).
function mount(box, opts, data) {
  box.replaceChildren();
  const plot = new window.uPlot({ ...size(box), ...opts }, data, box);
  const ro = new ResizeObserver(() => plot.setSize(size(box)));
  ro.observe(box);
  return plot;
}

// Where a series breaks, as [before, after] times: between two of its points further apart
// than three of its usual steps (an outage, a restart), and never for less than 15 minutes.
function breaksOf(points) {
  const steps = points.slice(1).map((p, i) => p[0] - points[i][0]).sort((a, b) => a - b);
  const limit = Math.max(3 * (steps[Math.floor(steps.length / 2)] || 0), 900);
  return points.slice(1).map((p, i) => [points[i][0], p[0]]).filter(([a, b]) => b - a > limit);
}

// series: [{label, points: [[t_s, w], ...]}]; x = union of times. Every inverter is polled
// at its own moment, so a series has no value at most x: those slots stay undefined, which
// uPlot bridges. Across a break they are null, which it leaves open; a slot just before the
// end of each break makes sure there is one to leave open.
export function powerChart(box, series) {
  const breaks = series.map((s) => breaksOf(s.points));
  const times = [...new Set([...series.flatMap((s) => s.points.map((p) => p[0])), ...breaks.flat().map(([, b]) => b - 1)])]
    .sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const data = [times];
  series.forEach((s, k) => {
    const ys = new Array(times.length).fill(undefined);
    for (const [a, b] of breaks[k]) ys.fill(null, index.get(a) + 1, index.get(b));
    for (const [t, w] of s.points) ys[index.get(t)] = w;
    data.push(ys);
  });
  const fmtTime = (u, vals) => vals.map((v) => new Date(v * 1000).toLocaleTimeString(locale(), zone({ hour: '2-digit', minute: '2-digit' })));
  return mount(box, {
    scales: { x: { time: true } },
    axes: axes('W', fmtTime),
    series: [{ value: (u, v) => (v ? new Date(v * 1000).toLocaleTimeString(locale(), zone()) : '') },
      ...series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length], width: 2, spanGaps: false,
        fill: series.length === 1 ? palette[0] + '33' : undefined, value: (u, v) => (v == null ? '–' : v.toFixed(1) + ' W') }))],
  }, data);
}

// labels: x labels; series: [{label, values (Wh)}] drawn as stacked bars. uPlot draws in
// series order, so the largest running total goes first and each smaller band on top.
export function energyBars(box, labels, series, unit = 'kWh') {
  const div = unit === 'kWh' ? 1000 : 1;
  const xs = labels.map((_, i) => i);
  const acc = new Array(xs.length).fill(0);
  const stacked = series.map((s) => {
    s.values.forEach((v, i) => { acc[i] += (v || 0) / div; });
    return [...acc];
  });
  const bars = window.uPlot.paths.bars({ size: [0.7, 60] });
  const order = series.map((_, i) => i).reverse();
  return mount(box, {
    scales: { x: { time: false, range: [-0.5, xs.length - 0.5] } },
    axes: axes(unit, (u, vals) => vals.map((v) => labels[v] ?? '')),
    series: [{ value: (u, v) => labels[v] ?? '' },
      ...order.map((i) => ({ label: series[i].label, stroke: palette[i % palette.length],
        fill: palette[i % palette.length] + 'cc', paths: bars, points: { show: false },
        value: (u, v, si, di) => (di === null || di === undefined ? '–'
          : ((series[i].values[di] || 0) / div).toFixed(2) + ' ' + unit) }))],
  }, [xs, ...order.map((i) => stacked[i])]);
}

export function chartBox() { return h('div.chart'); }
