import { useState, useEffect } from 'preact/hooks';
import { t } from '../prefs.js';
import { get, all, api } from '../api.js';
import { num, usd, ms, dateTime, shortTime, statusClass, localToISO, isoToLocal } from '../format.js';
import { useAsync, Async, Dialog, Badge, Empty, PageHead, toast } from '../ui.jsx';
import { replaceQuery } from '../router.js';

export const FILTERS = ['user_id', 'key_id', 'provider_id', 'model', 'status_code', 'endpoint', 'session_id', 'from', 'to'];
const PAGE = 50;

// LogsTable is shared by the admin logs page and the key holder's own usage page.
// own: a key holder's view of their own requests (no user, key, provider or chain).
export function LogsTable({ items, names = {}, onSelect, selected, own = false }) {
  const showUser = !own;
  const nm = (kind, id) => (id ? (names[kind] && names[kind][id]) || '#' + id : '—');
  return (
    <div class="table-wrap">
      <table class="compact" data-testid="logs-table">
        <thead>
          <tr>
            <th>{t('Time')}</th>
            {showUser && <th>{t('User')}</th>}
            {showUser && <th>{t('Key')}</th>}
            {showUser && <th>{t('Provider')}</th>}
            <th>{t('Model')}</th>
            <th>{t('Status')}</th>
            <th class="num">{t('Input')}</th>
            <th class="num">{t('Output')}</th>
            <th class="num">{t('Cache 5m')}</th>
            <th class="num">{t('Cache 1h')}</th>
            <th class="num">{t('Cache read')}</th>
            <th class="num">{t('Cost')}</th>
            <th class="num">{t('TTFB')}</th>
            <th class="num">{t('Duration')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((l) => (
            <tr key={l.id} class={'clickable' + (selected === l.id ? ' selected' : '')} data-log={l.id} tabIndex={0}
              onClick={() => onSelect && onSelect(l)} onKeyDown={(e) => e.key === 'Enter' && onSelect && onSelect(l)}>
              <td class="nowrap" title={dateTime(l.created_at)}>{shortTime(l.created_at)}</td>
              {showUser && <td>{nm('user', l.user_id)}</td>}
              {showUser && <td>{nm('key', l.key_id)}</td>}
              {showUser && <td>{nm('provider', l.provider_id)}</td>}
              <td class="mono small">
                {l.model || '—'}
                {l.original_model && l.original_model !== l.model && <div class="muted">← {l.original_model}</div>}
              </td>
              <td>
                <Badge kind={statusClass(l.status_code)}>{l.status_code || t('none')}</Badge>
                {l.is_stream && <span class="small muted"> SSE</span>}
              </td>
              <td class="num" data-col="input">{num(l.input_tokens)}</td>
              <td class="num" data-col="output">{num(l.output_tokens)}</td>
              <td class="num" data-col="cache5m">{num(l.cache_creation_5m_input_tokens)}</td>
              <td class="num" data-col="cache1h">{num(l.cache_creation_1h_input_tokens)}</td>
              <td class="num" data-col="cacheread">{num(l.cache_read_input_tokens)}</td>
              <td class="num" data-col="cost">{usd(l.cost_usd)}{l.price_missing && <span title={t('No price for this model')}> ⚠</span>}</td>
              <td class="num">{l.ttfb_ms === null || l.ttfb_ms === undefined ? '—' : ms(l.ttfb_ms)}</td>
              <td class="num">{ms(l.duration_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function reasonKind(r) {
  if (!r) return '';
  if (r.includes('success') || r === 'session_reuse' || r === 'initial_selection') return r.includes('success') ? 'ok' : 'info';
  if (r.includes('fail') || r.includes('error') || r.includes('open') || r.includes('abort')) return 'err';
  return 'warn';
}

// Chain renders the decision chain: every provider tried, why it was chosen and how it ended.
export function Chain({ chain }) {
  if (!Array.isArray(chain) || !chain.length) return <div class="muted">{t('No provider was tried (the request was refused before routing).')}</div>;
  return (
    <ol class="timeline" data-testid="chain">
      {chain.map((c, i) => {
        const ok = c.reason && c.reason.includes('success');
        const fail = reasonKind(c.reason) === 'err';
        return (
          <li key={i} class={ok ? 'ok' : fail ? 'fail' : ''}>
            <div class="t-head">
              <strong>{c.provider_name || '#' + c.provider_id}</strong>
              {c.provider_type && <Badge>{c.provider_type}</Badge>}
              {c.selection && <Badge kind="info">{c.selection}</Badge>}
              {c.reason && <Badge kind={reasonKind(c.reason)}>{c.reason}</Badge>}
              {c.status_code ? <Badge kind={statusClass(c.status_code)}>{c.status_code}</Badge> : null}
            </div>
            <div class="t-meta">
              {t('attempt {n}', { n: c.attempt || i + 1 })}
              {c.duration_ms !== undefined && <> · {ms(c.duration_ms)}</>}
              {c.started_at && <> · {dateTime(c.started_at)}</>}
              {c.priority !== undefined && <> · {t('priority {p}, weight {w}', { p: c.priority, w: c.weight })}</>}
              {c.candidates ? <> · {t('{n} candidates', { n: c.candidates })}</> : null}
            </div>
            {c.model_redirect && <div class="t-meta">{t('model redirect')}: <span class="mono">{c.model_redirect.from} → {c.model_redirect.to}</span></div>}
            {c.error && <div class="t-err">{c.error}</div>}
            {Array.isArray(c.filtered) && c.filtered.length > 0 && (
              <div class="t-meta">{t('filtered out')}: {c.filtered.map((f) => `${f.name || '#' + f.id} (${f.reason})`).join(', ')}</div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export function LogDetail({ log, names = {}, onClose, own = false }) {
  if (!log) return null;
  const nm = (kind, id) => (id ? (names[kind] && names[kind][id]) || '#' + id : '—');
  const cacheCreate = log.cache_creation_input_tokens;
  return (
    <Dialog open drawer onClose={onClose} title={t('Request #{id}', { id: log.id })} testid="log-detail">
      <dl class="kv">
        <dt>{t('Time')}</dt><dd>{dateTime(log.created_at)}</dd>
        <dt>{t('Request ID')}</dt><dd class="mono">{log.request_id || '—'}</dd>
        <dt>{t('Endpoint')}</dt><dd class="mono">{log.endpoint || '—'}{log.is_stream ? ' (stream)' : ''}</dd>
        <dt>{t('Status')}</dt><dd><Badge kind={statusClass(log.status_code)}>{log.status_code || t('none')}</Badge>{log.blocked_by && <> <Badge kind="warn">{t('blocked by {what}', { what: log.blocked_by })}</Badge></>}</dd>
        {!own && <>
          <dt>{t('User')}</dt><dd>{nm('user', log.user_id)}</dd>
          <dt>{t('Key')}</dt><dd>{nm('key', log.key_id)}</dd>
          <dt>{t('Provider')}</dt><dd>{nm('provider', log.provider_id)}</dd>
        </>}
        <dt>{t('Model')}</dt><dd class="mono">{log.model}{log.original_model && log.original_model !== log.model ? ` (${t('requested')} ${log.original_model})` : ''}</dd>
        <dt>{t('Session')}</dt><dd class="mono">{log.session_id || '—'}</dd>
        <dt>{t('Tokens')}</dt>
        <dd data-testid="detail-tokens">
          {t('input {i} · output {o}', { i: num(log.input_tokens), o: num(log.output_tokens) })}<br />
          {t('cache write {c} (5m {a} · 1h {b}) · cache read {r}', { c: num(cacheCreate), a: num(log.cache_creation_5m_input_tokens), b: num(log.cache_creation_1h_input_tokens), r: num(log.cache_read_input_tokens) })}
        </dd>
        <dt>{t('Cost')}</dt><dd data-testid="detail-cost">{usd(log.cost_usd)}{log.price_missing && <> <Badge kind="warn">{t('no price for this model')}</Badge></>}</dd>
        <dt>{t('TTFB')}</dt><dd>{log.ttfb_ms === null || log.ttfb_ms === undefined ? '—' : ms(log.ttfb_ms)}</dd>
        <dt>{t('Duration')}</dt><dd>{ms(log.duration_ms)}</dd>
        {log.user_agent && <><dt>{t('Client')}</dt><dd class="mono small">{log.user_agent}</dd></>}
        {log.error_message && <><dt>{t('Error')}</dt><dd class="t-err">{log.error_message}</dd></>}
      </dl>
      {!own && <h3 class="mt">{t('Decision chain')}</h3>}
      {!own && <Chain chain={log.provider_chain} />}
    </Dialog>
  );
}

// useNames loads id → name maps for users, providers and (per user) keys, for the log tables.
export function useNames() {
  const [names, setNames] = useState({ user: {}, provider: {}, key: {} });
  useEffect(() => {
    let live = true;
    Promise.allSettled([all('v1/users'), all('v1/providers')]).then(async ([u, p]) => {
      const users = u.status === 'fulfilled' ? u.value : [];
      const out = { user: {}, provider: {}, key: {} };
      for (const x of users) out.user[x.id] = x.name;
      if (p.status === 'fulfilled') for (const x of p.value) out.provider[x.id] = x.name;
      // Key names: one request per user, only for small installations.
      if (users.length <= 50) {
        const ks = await Promise.allSettled(users.map((x) => all('v1/users/' + x.id + '/keys')));
        for (const r of ks) if (r.status === 'fulfilled') for (const k of r.value) out.key[k.id] = k.name;
      }
      if (live) setNames(out);
    });
    return () => { live = false; };
  }, []);
  return names;
}

export function Logs({ route }) {
  const filters = {};
  for (const f of FILTERS) filters[f] = route.query.get(f) || '';
  const key = FILTERS.map((f) => filters[f]).join('|');
  const [cursors, setCursors] = useState([null]); // cursor of each page visited
  const [auto, setAuto] = useState(false);
  const [sel, setSel] = useState(null);
  const [showFilters, setShowFilters] = useState(false);
  const names = useNames();
  useEffect(() => setCursors([null]), [key]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(() => get('v1/logs', { ...filters, limit: PAGE, cursor }), [key, cursor]);
  useEffect(() => {
    if (!auto || cursors.length > 1) return;
    const id = setInterval(page.reload, 5000);
    return () => clearInterval(id);
  }, [auto, cursors.length, page.reload]);

  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [key]);
  const setD = (k) => (e) => setDraft({ ...draft, [k]: e.currentTarget.value });
  const apply = (e) => {
    e && e.preventDefault();
    replaceQuery(draft);
  };
  const clear = () => replaceQuery({});

  const exportCSV = async () => {
    try {
      const res = await api('v1/logs/export', { query: { format: 'csv', ...filters }, raw: true });
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'cchub-logs.csv';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      toast(e.notAvailable ? t('CSV export is not available yet.') : e.message, 'err');
    }
  };

  const userOpts = Object.entries(names.user);
  const provOpts = Object.entries(names.provider);
  return (
    <div>
      <PageHead title={t('Usage logs')}>
        <label class="check small"><input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} /> <span>{t('Auto-refresh')}</span></label>
        <button onClick={page.reload} data-testid="refresh">{t('Refresh')}</button>
        <button onClick={exportCSV}>{t('Export CSV')}</button>
        <button class="only-phone" aria-expanded={showFilters} onClick={() => setShowFilters(!showFilters)}>
          {t('Filters')}{FILTERS.some((f) => filters[f]) ? ' •' : ''}
        </button>
      </PageHead>
      <div class="panel flush">
        <form class={'filters' + (showFilters ? ' open' : '')} onSubmit={apply} data-testid="log-filters">
          <label class="field"><span>{t('User')}</span>
            <select value={draft.user_id} onChange={setD('user_id')} name="user_id">
              <option value="">{t('All')}</option>
              {userOpts.map(([id, n]) => <option key={id} value={id}>{n}</option>)}
            </select>
          </label>
          <label class="field"><span>{t('Provider')}</span>
            <select value={draft.provider_id} onChange={setD('provider_id')} name="provider_id">
              <option value="">{t('All')}</option>
              {provOpts.map(([id, n]) => <option key={id} value={id}>{n}</option>)}
            </select>
          </label>
          <label class="field"><span>{t('Key ID')}</span><input value={draft.key_id} onInput={setD('key_id')} inputMode="numeric" name="key_id" /></label>
          <label class="field"><span>{t('Model')}</span><input value={draft.model} onInput={setD('model')} name="model" /></label>
          <label class="field"><span>{t('Status code')}</span><input value={draft.status_code} onInput={setD('status_code')} inputMode="numeric" name="status_code" /></label>
          <label class="field"><span>{t('Endpoint')}</span>
            <select value={draft.endpoint} onChange={setD('endpoint')} name="endpoint">
              <option value="">{t('All')}</option>
              {['/v1/messages', '/v1/responses', '/v1/chat/completions', '/v1/messages/count_tokens'].map((e) => <option key={e} value={e}>{e}</option>)}
            </select>
          </label>
          <label class="field"><span>{t('Session ID')}</span><input value={draft.session_id} onInput={setD('session_id')} name="session_id" /></label>
          <label class="field"><span>{t('From')}</span><input type="datetime-local" value={isoToLocal(draft.from)} onInput={(e) => setDraft({ ...draft, from: localToISO(e.currentTarget.value) })} /></label>
          <label class="field"><span>{t('To')}</span><input type="datetime-local" value={isoToLocal(draft.to)} onInput={(e) => setDraft({ ...draft, to: localToISO(e.currentTarget.value) })} /></label>
          <div class="row">
            <button type="submit" class="primary">{t('Apply')}</button>
            <button type="button" onClick={clear}>{t('Clear')}</button>
          </div>
        </form>
        <Async state={page} what={t('usage logs')}
          empty={<Empty title={t('No requests yet')} hint={FILTERS.some((f) => filters[f]) ? t('No request matches these filters.') : t('Requests relayed through the hub appear here.')} />}>
          {(d) => (
            <>
              <LogsTable items={d.items} names={names} onSelect={setSel} selected={sel && sel.id} />
              <div class="pager">
                <span class="small muted">{t('Page {n}', { n: cursors.length })}</span>
                <button disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>{t('Newer')}</button>
                <button disabled={d.next_cursor == null} data-testid="older" onClick={() => setCursors([...cursors, d.next_cursor])}>{t('Older')}</button>
              </div>
            </>
          )}
        </Async>
      </div>
      <LogDetail log={sel} names={names} onClose={() => setSel(null)} />
    </div>
  );
}
