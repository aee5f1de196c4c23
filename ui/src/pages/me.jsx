import { useState } from 'preact/hooks';
import { t } from '../prefs.js';
import { get } from '../api.js';
import { dateTime, num, usd, pct, ms, compact } from '../format.js';
import { useAsync, Async, PageHead, Empty, QuotaLine, useNow } from '../ui.jsx';
import { quotaWindows } from '../quota.js';
import { LogsTable, LogDetail } from './logs.jsx';
import { Cards } from './dashboard.jsx';

// UsagePeriods: the key's usage today, over 7 and over 30 days (GET /api/v1/me/usage).
function UsagePeriods({ data }) {
  const rows = [['today', t('Today')], ['last_7_days', t('Last 7 days')], ['last_30_days', t('Last 30 days')]].filter(([k]) => data[k]);
  if (!rows.length) return <Cards data={data} />;
  return (
    <div class="table-wrap">
      <table data-testid="my-usage-periods">
        <thead>
          <tr>
            <th />
            <th class="num">{t('Requests')}</th>
            <th class="num">{t('Tokens')}</th>
            <th class="num">{t('Cache read')}</th>
            <th class="num">{t('Cost')}</th>
            <th class="num">{t('Success rate')}</th>
            <th class="num">{t('Avg duration')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([k, label]) => {
            const p = data[k];
            return (
              <tr key={k} data-period={k}>
                <td><strong>{label}</strong></td>
                <td class="num" data-col="requests">{num(p.requests)}</td>
                <td class="num">{compact(p.tokens)}</td>
                <td class="num">{compact(p.cache_read_input_tokens)}</td>
                <td class="num" data-col="cost">{usd(p.cost_usd)}</td>
                <td class="num">{pct(p.success_rate)}</td>
                <td class="num">{ms(p.avg_duration_ms)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

// MyUsage is the page a key holder sees: their key, their quotas and their own requests only
// (everything from /api/v1/me…).
export function MyUsage({ me }) {
  const ident = useAsync(() => get('v1/me'), []);
  const quotas = useAsync(() => get('v1/me/quotas'), []);
  const usage = useAsync(() => get('v1/me/usage'), []);
  const [cursors, setCursors] = useState([null]);
  const cursor = cursors[cursors.length - 1];
  const logs = useAsync(() => get('v1/me/logs', { limit: 50, cursor }), [cursor]);
  const [sel, setSel] = useState(null);
  const now = useNow(1000);
  const m = ident.data || me;
  const k = m.key || {};
  const u = m.user || {};
  const ws = quotas.data ? quotaWindows(quotas.data.key || quotas.data) : [];
  const uws = quotas.data && quotas.data.user ? quotaWindows(quotas.data.user) : [];
  return (
    <div class="stack">
      <PageHead title={t('My usage')} />
      <div class="panel" data-testid="my-key">
        <dl class="kv">
          <dt>{t('Key')}</dt><dd><strong>{k.name}</strong> <span class="mono muted">{k.key_prefix}…</span></dd>
          <dt>{t('User')}</dt><dd>{u.name}</dd>
          <dt>{t('Expires')}</dt><dd>{k.expires_at ? dateTime(k.expires_at) : u.expires_at ? dateTime(u.expires_at) : t('never')}</dd>
          <dt>{t('Provider group')}</dt><dd>{k.provider_group || u.provider_group || 'default'}</dd>
        </dl>
      </div>
      <div class="panel">
        <h2>{t('Quotas')}</h2>
        <Async state={quotas} what={t('your quotas')} isEmpty={() => !ws.length && !uws.length}
          empty={<div class="muted">{t('No spend limits apply to this key.')}</div>}>
          {() => (
            <div class="grid3" data-testid="my-quotas">
              {[...ws, ...uws.map((w) => ({ ...w, label: t('User') + ' · ' + w.label }))].map((w, i) => (
                <QuotaLine key={i} label={w.label} used={w.used} limit={w.limit} resetsAt={w.resetsAt} now={now} money={w.money} />
              ))}
            </div>
          )}
        </Async>
      </div>
      <div class="panel flush">
        <div class="panel-head"><h2>{t('Usage')}</h2></div>
        <Async state={usage} what={t('your usage summary')} isEmpty={() => false}>
          {(d) => <UsagePeriods data={d} />}
        </Async>
      </div>
      <div class="panel flush">
        <div class="panel-head"><h2>{t('My requests')}</h2><button onClick={logs.reload}>{t('Refresh')}</button></div>
        <Async state={logs} what={t('your request log')}
          empty={<Empty title={t('No requests yet')} hint={t('Requests made with this key appear here.')} />}>
          {(d) => (
            <>
              <LogsTable items={d.items} own onSelect={setSel} selected={sel && sel.id} />
              <div class="pager">
                <button disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>{t('Newer')}</button>
                <button disabled={d.next_cursor == null} onClick={() => setCursors([...cursors, d.next_cursor])}>{t('Older')}</button>
              </div>
            </>
          )}
        </Async>
      </div>
      <LogDetail log={sel} own onClose={() => setSel(null)} />
    </div>
  );
}
