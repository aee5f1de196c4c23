import { useState } from 'preact/hooks';
import { t } from '../prefs.js';
import { get } from '../api.js';
import { dateTime } from '../format.js';
import { useAsync, Async, PageHead, Empty, QuotaLine, useNow } from '../ui.jsx';
import { quotaWindows } from '../quota.js';
import { LogsTable, LogDetail } from './logs.jsx';
import { Cards } from './dashboard.jsx';

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
      <Async state={usage} what={t('your usage summary')} isEmpty={() => false}>
        {(d) => <Cards data={d} />}
      </Async>
      <div class="panel flush">
        <div class="panel-head"><h2>{t('My requests')}</h2><button onClick={logs.reload}>{t('Refresh')}</button></div>
        <Async state={logs} what={t('your request log')}
          empty={<Empty title={t('No requests yet')} hint={t('Requests made with this key appear here.')} />}>
          {(d) => (
            <>
              <LogsTable items={d.items} showUser={false} onSelect={setSel} selected={sel && sel.id} />
              <div class="pager">
                <button disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>{t('Newer')}</button>
                <button disabled={d.next_cursor == null} onClick={() => setCursors([...cursors, d.next_cursor])}>{t('Older')}</button>
              </div>
            </>
          )}
        </Async>
      </div>
      <LogDetail log={sel} onClose={() => setSel(null)} />
    </div>
  );
}
