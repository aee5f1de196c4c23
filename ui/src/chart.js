// uPlot line chart, loaded on demand (dynamic import) so pages without charts do not pay for it.
// uPlot sets element sizes through the CSSOM (el.style.x = …), which a CSP without
// 'unsafe-inline' allows; it injects no <style> elements.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const INT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];
const PALETTE = ['#2f6fed', '#1a8f4c', '#d9822b', '#c62f2f', '#8e44ad', '#16a2b8', '#b8860b', '#e84393', '#5d6778', '#2ecc71'];

function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

// mount draws {x: [unix seconds], series: [{name, values}]} into el and returns a handle with
// destroy() and resize(width).
// integer: counts (whole-number ticks, axis from 0).
export function mount(el, { x, series, format, width, integer }) {
  const axis = cssVar('--muted', '#5d6778');
  const grid = cssVar('--border', '#dde1e7');
  const opts = {
    width: width || el.clientWidth || 600,
    height: 240,
    cursor: { drag: { x: false, y: false } },
    legend: { show: true },
    scales: { x: { time: true }, y: integer ? { range: (u, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } : {} },
    axes: [
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, incrs: integer ? INT_INCRS : undefined, size: (u, vals) => (vals && vals.length ? Math.max(40, Math.max(...vals.map((v) => String(v).length)) * 7 + 18) : 50), values: (u, vals) => vals.map((v) => (format ? format(v) : v)) },
    ],
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.name,
        stroke: PALETTE[i % PALETTE.length],
        width: 2,
        points: { show: x.length < 40 },
        value: (u, v) => (v === null || v === undefined ? '—' : format ? format(v) : v),
      })),
    ],
  };
  const u = new uPlot(opts, [x, ...series.map((s) => s.values)], el);
  return {
    destroy: () => u.destroy(),
    resize: (w) => u.setSize({ width: w, height: 240 }),
  };
}
