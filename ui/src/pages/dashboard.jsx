import { useState, useMemo } from 'preact/hooks';
import { t, mark } from '../prefs.js';
import { get } from '../api.js';
import { num, usd, pct, ms, compact } from '../format.js';
import { useAsync, Async, PageHead, Seg, NotAvailable, Loading, ErrorState } from '../ui.jsx';
import { LineChart, pivot } from '../charts.jsx';

function pick(o, names) {
  if (!o) return undefined;
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
}

// Metric cards: [title, field names to try, formatter, higher-is-better].
const CARDS = [
  [mark('Requests today'), ['requests', 'request_count'], num, true],
  [mark('Cost today'), ['cost_usd', 'cost'], usd, true],
  [mark('Tokens today'), ['tokens', 'total_tokens'], compact, true],
  [mark('Cache hit tokens'), ['cache_read_tokens', 'cache_read_input_tokens', 'cache_hit_tokens'], compact, true],
  [mark('Error rate'), ['error_rate'], pct, false],
  [mark('Avg duration'), ['avg_duration_ms'], ms, false],
  [mark('Avg TTFB'), ['avg_ttfb_ms'], ms, false],
  [mark('P95 duration'), ['p95_duration_ms'], ms, false],
  [mark('Active sessions'), ['active_sessions'], num, true],
  [mark('RPM'), ['rpm', 'current_rpm'], num, true],
];

function Delta({ now, prev, good }) {
  const a = Number(now);
  const b = Number(prev);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  if (b === 0) return <span class="delta muted">{t('vs yesterday')}: {a === 0 ? '0' : '—'}</span>;
  const d = (a - b) / b;
  const up = d >= 0;
  const cls = d === 0 ? '' : up === good ? 'up' : 'down';
  return <span class={'delta ' + cls}>{up ? '▲' : '▼'} {Math.abs(d * 100).toFixed(1)}% {t('vs yesterday')}</span>;
}

export function Cards({ data }) {
  const today = data.today || data;
  const yest = data.yesterday || {};
  return (
    <div class="cards" data-testid="cards">
      {CARDS.map(([title, names, fmt, good]) => {
        // A known metric that is null (nothing to divide by yet) shows as "—".
        const known = names.some((n) => (today && n in today) || n in data);
        if (!known) return null;
        const v = pick(today, names) ?? pick(data, names);
        return (
          <div class="card" key={title}>
            <div class="label">{t(title)}</div>
            <div class="value">{fmt(v)}</div>
            <Delta now={v} prev={pick(yest, names)} good={good} />
          </div>
        );
      })}
    </div>
  );
}

const RANGES = {
  today: () => ({ from: startOfDay(0), bucket: 'hour' }),
  '7d': () => ({ from: startOfDay(6), bucket: 'day' }),
  '30d': () => ({ from: startOfDay(29), bucket: 'day' }),
};
function startOfDay(daysAgo) {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysAgo);
  return d.toISOString();
}

function Charts() {
  const [range, setRange] = useState('today');
  const [split, setSplit] = useState('user');
  const ts = useAsync(() => get('v1/stats/timeseries', { ...RANGES[range](), split }), [range, split]);
  const req = useMemo(() => pivot(ts.data, 'requests'), [ts.data]);
  const cost = useMemo(() => pivot(ts.data, 'cost_usd'), [ts.data]);
  return (
    <div class="panel flush">
      <div class="panel-head">
        <h2>{t('Over time')}</h2>
        <Seg value={range} onChange={setRange} options={[['today', t('Today')], ['7d', t('7 days')], ['30d', t('30 days')]]} />
        <Seg value={split} onChange={setSplit} options={[['user', t('by user')], ['provider', t('by provider')], ['model', t('by model')]]} />
      </div>
      <div class="pad">
        {ts.error ? (ts.error.notAvailable ? <NotAvailable what={t('statistics over time')} /> : <ErrorState error={ts.error} onRetry={ts.reload} />)
          : ts.data === undefined ? <Loading /> : (
            <div class="grid2">
              <div><h3>{t('Requests')}</h3><LineChart data={req} integer testid="chart-requests" /></div>
              <div><h3>{t('Cost (USD)')}</h3><LineChart data={cost} format={(v) => '$' + Number(v).toFixed(Number(v) < 1 ? 4 : 2)} testid="chart-cost" /></div>
            </div>
          )}
      </div>
    </div>
  );
}

function Top({ scope, title }) {
  const st = useAsync(() => get('v1/leaderboard', { scope, period: 'daily', limit: 5 }), [scope]);
  return (
    <div class="panel">
      <h2>{title}</h2>
      <Async state={st} what={t('leaderboard')} isEmpty={(d) => !(d.items || []).length}
        empty={<div class="muted small">{t('No requests today')}</div>}>
        {(d) => (
          <ol class="top-list">
            {d.items.slice(0, 5).map((it, i) => (
              <li key={i}>
                <span>{i + 1}. {it.name ?? it.model ?? it[scope + '_name'] ?? '#' + (it.id ?? it[scope + '_id'])}</span>
                <span class="muted">{num(it.requests ?? it.request_count)} · {usd(it.cost_usd)}</span>
              </li>
            ))}
          </ol>
        )}
      </Async>
    </div>
  );
}

export function Dashboard() {
  const ov = useAsync(() => get('v1/stats/overview'), []);
  return (
    <div class="stack">
      <PageHead title={t('Dashboard')}>
        <button onClick={ov.reload}>{t('Refresh')}</button>
      </PageHead>
      <Async state={ov} what={t('the statistics overview')} isEmpty={() => false}>
        {(d) => <Cards data={d} />}
      </Async>
      <Charts />
      <div class="grid3">
        <Top scope="user" title={t('Top users today')} />
        <Top scope="provider" title={t('Top providers today')} />
        <Top scope="model" title={t('Top models today')} />
      </div>
    </div>
  );
}
