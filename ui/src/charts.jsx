import { useEffect, useRef } from 'preact/hooks';
import { t, effectiveTheme } from './prefs.js';
import { Empty } from './ui.jsx';

// pivot turns a timeseries answer into {x, series:[{name, values}]} for one metric. Accepted:
// the hub's {split, items:[{start, <metric>, groups:[{id, name, <metric>}]}]}, or
// {buckets:[time…], series:[{name, <metric>:[…]}]}, or a flat list of points
// {items|points:[{bucket|time|ts|t|start, name|key|label|group, <metric>}]}.
export function pivot(data, metric) {
  if (!data) return { x: [], series: [] };
  const ts = (v) => (typeof v === 'number' ? (v > 1e12 ? v / 1000 : v) : new Date(v).getTime() / 1000);
  const val = (v) => (v === null || v === undefined ? null : Number(v));
  if (Array.isArray(data.buckets) && Array.isArray(data.series)) {
    return {
      x: data.buckets.map(ts),
      series: data.series.map((s) => ({
        name: s.name || s.key || s.label || t('total'),
        values: (s[metric] || s.values || []).map(val),
      })),
    };
  }
  const pts = data.items || data.points || (Array.isArray(data) ? data : []);
  // The hub's shape: every bucket present, {start, <metric>, groups:[{id, name, <metric>}]}
  // with only the groups that had requests in that bucket.
  if (pts.length && pts[0].start !== undefined && (data.split || Array.isArray(pts[0].groups))) {
    const x = pts.map((p) => ts(p.start));
    if (!data.split) return { x, series: [{ name: t('total'), values: pts.map((p) => val(p[metric]) ?? 0) }] };
    const names = [];
    const seen = new Set();
    for (const p of pts) for (const g of p.groups || []) {
      const n = g.name ?? '#' + g.id;
      if (!seen.has(n)) { seen.add(n); names.push(n); }
    }
    return {
      x,
      series: names.map((n) => ({
        name: n,
        values: pts.map((p) => {
          const g = (p.groups || []).find((gg) => (gg.name ?? '#' + gg.id) === n);
          return g ? val(g[metric]) : 0;
        }),
      })),
    };
  }
  const times = new Set();
  const by = new Map();
  for (const p of pts) {
    const x = ts(p.bucket ?? p.time ?? p.ts ?? p.t ?? p.start);
    if (!Number.isFinite(x)) continue;
    times.add(x);
    const name = p.name ?? p.key ?? p.label ?? p.group ?? t('total');
    if (!by.has(name)) by.set(name, new Map());
    by.get(name).set(x, val(p[metric]));
  }
  const x = [...times].sort((a, b) => a - b);
  return {
    x,
    series: [...by.entries()].map(([name, m]) => ({ name: String(name), values: x.map((tt) => (m.has(tt) ? m.get(tt) : 0)) })),
  };
}

// LineChart lazy-loads uPlot and redraws on data, size or theme changes.
export function LineChart({ data, format, testid, integer }) {
  const ref = useRef(null);
  const theme = effectiveTheme();
  useEffect(() => {
    const el = ref.current;
    if (!el || !data.x.length) return;
    let chart = null;
    let dead = false;
    let ro = null;
    import('./chart.js').then(({ mount }) => {
      if (dead) return;
      el.textContent = '';
      chart = mount(el, { ...data, format, integer, width: el.clientWidth });
      ro = new ResizeObserver(() => chart && chart.resize(el.clientWidth));
      ro.observe(el);
    });
    return () => {
      dead = true;
      if (ro) ro.disconnect();
      if (chart) chart.destroy();
    };
  }, [data, theme]);
  if (!data.x.length) return <Empty title={t('No data for this period')} />;
  return <div class="chart" ref={ref} data-testid={testid} />;
}
