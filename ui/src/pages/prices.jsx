import { useState, useEffect } from 'preact/hooks';
import { t, mark } from '../prefs.js';
import { get, post } from '../api.js';
import { dateTime } from '../format.js';
import { useAsync, Async, PageHead, Empty, Badge, Dialog, toast } from '../ui.jsx';
import { replaceQuery } from '../router.js';

const PAGE = 100;
// Columns: the billed prices the hub reports in USD per million tokens.
const COLS = [
  ['input_usd_per_mtok', mark('Input')],
  ['output_usd_per_mtok', mark('Output')],
  ['cache_write_5m_usd_per_mtok', mark('Cache write 5m')],
  ['cache_write_1h_usd_per_mtok', mark('Cache write 1h')],
  ['cache_read_usd_per_mtok', mark('Cache read')],
];
// Manual prices are entered per million tokens and sent in LiteLLM's names (USD per token).
const FIELDS = [
  ['input_cost_per_token', mark('Input')],
  ['output_cost_per_token', mark('Output')],
  ['cache_creation_input_token_cost', mark('Cache write 5m')],
  ['cache_creation_input_token_cost_above_1hr', mark('Cache write 1h')],
  ['cache_read_input_token_cost', mark('Cache read')],
];

// shift moves the decimal point of a decimal string by n places (n > 0: multiply by 10^n),
// exactly, so prices never pass through binary floating point on their way to the API.
export function shift(s, n) {
  if (s === null || s === undefined || s === '') return '';
  let str = String(s).trim();
  if (/e/i.test(str)) str = Number(str).toFixed(20);
  if (!/^\d*\.?\d*$/.test(str)) return '';
  let [i, f = ''] = str.split('.');
  i = i || '0';
  if (n > 0) {
    f = f.padEnd(n, '0');
    i = i + f.slice(0, n);
    f = f.slice(n);
  } else {
    const m = -n;
    i = i.padStart(m + 1, '0');
    f = i.slice(i.length - m) + f;
    i = i.slice(0, i.length - m);
  }
  i = i.replace(/^0+(?=\d)/, '');
  f = f.replace(/0+$/, '');
  return f ? `${i}.${f}` : i;
}

function perM(v) {
  if (v === null || v === undefined || v === '') return '—';
  return '$' + shift(v, 0);
}

function sourceBadge(s) {
  if (!s) return null;
  return <Badge kind={s === 'manual' ? 'info' : ''}>{s === 'manual' ? t('manual') : s}</Badge>;
}

function PriceForm({ price, onDone, onCancel }) {
  const [model, setModel] = useState(price ? price.model_name : '');
  // Prefill from the stored LiteLLM entry (USD per token), shown per million tokens.
  const pd = (price && price.price_data) || {};
  const [vals, setVals] = useState(() => Object.fromEntries(FIELDS.map(([f]) => [f, pd[f] != null ? shift(pd[f], 6) : ''])));
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setErr(null);
    if (!model.trim()) return setErr({ message: t('Model is required'), field: 'model_name' });
    const body = { model_name: model.trim() };
    if (pd.litellm_provider) body.litellm_provider = pd.litellm_provider;
    if (pd.mode) body.mode = pd.mode;
    for (const [f] of FIELDS) {
      const v = vals[f].trim();
      if (v === '') continue;
      if (!/^\d+(\.\d+)?$/.test(v)) return setErr({ message: t('Prices are decimal USD amounts per million tokens'), field: f });
      body[f] = shift(v, -6);
    }
    setBusy(true);
    try {
      await post('v1/prices', body);
      toast(t('Price saved'));
      onDone();
    } catch (e2) {
      setErr(e2);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} data-testid="price-form">
      {err && <div class="alert" role="alert">{err.message}</div>}
      <div class="form-grid">
        <label class="field wide"><span>{t('Model')}</span><input value={model} disabled={!!price} onInput={(e) => setModel(e.currentTarget.value)} class={err && err.field === 'model_name' ? 'invalid' : ''} /></label>
        {FIELDS.map(([f, l]) => (
          <label class="field" key={f}><span>{t(l)} ({t('USD / 1M tokens')})</span>
            <input inputMode="decimal" value={vals[f]} class={err && err.field === f ? 'invalid' : ''} onInput={(e) => setVals({ ...vals, [f]: e.currentTarget.value })} />
          </label>
        ))}
      </div>
      <p class="small muted">{t('A manual price always wins over synced prices.')}</p>
      <div class="row end">
        <button type="button" onClick={onCancel}>{t('Cancel')}</button>
        <button class="primary" type="submit" disabled={busy}>{t('Save')}</button>
      </div>
    </form>
  );
}

function SyncDialog({ open, onClose, onDone }) {
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [res, setRes] = useState(null);
  const [err, setErr] = useState(null);
  const run = async () => {
    setBusy(true);
    setErr(null);
    setRes(null);
    try {
      const r = await post('v1/prices/sync', url.trim() ? { url: url.trim() } : {});
      setRes(r || {});
      onDone();
    } catch (e) {
      setErr(e.notAvailable ? { message: t('Price sync is not available yet.') } : e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} title={t('Sync prices')} narrow
      footer={<><button onClick={onClose}>{t('Close')}</button><button class="primary" disabled={busy} onClick={run}>{busy ? t('Syncing…') : t('Sync now')}</button></>}>
      <label class="field"><span>{t('Source URL (empty = the default LiteLLM table)')}</span>
        <input value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://…/model_prices_and_context_window.json" />
      </label>
      {err && <div class="alert mt">{err.message}</div>}
      {res && (
        <div class="alert ok mt" data-testid="sync-result">
          <div>{t('Models in the table')}: <strong>{res.models ?? '—'}</strong></div>
          <div>{t('Added')}: <strong>{res.added ?? 0}</strong> · {t('Updated')}: <strong>{res.updated ?? 0}</strong> · {t('Unchanged')}: <strong>{res.unchanged ?? 0}</strong> · {t('Kept manual')}: <strong>{res.kept_manual ?? 0}</strong></div>
          {res.source && <div class="small mono">{res.source}</div>}
        </div>
      )}
    </Dialog>
  );
}

export function Prices({ route }) {
  const q = route.query.get('q') || '';
  const source = route.query.get('source') || '';
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const [cursors, setCursors] = useState([null]);
  useEffect(() => setCursors([null]), [q, source]);
  const cursor = cursors[cursors.length - 1];
  const st = useAsync(() => get('v1/prices', { q, source, limit: PAGE, cursor }), [q, source, cursor]);
  const [editing, setEditing] = useState(null);
  const [sync, setSync] = useState(false);
  return (
    <div>
      <PageHead title={t('Model prices')}>
        <form class="row grow" onSubmit={(e) => { e.preventDefault(); replaceQuery({ q: draft, source }); }} data-testid="price-search">
          <input type="search" class="grow" name="q" placeholder={t('Search models')} aria-label={t('Search models')} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <select aria-label={t('Source')} value={source} onChange={(e) => replaceQuery({ q, source: e.currentTarget.value })}>
            <option value="">{t('All sources')}</option>
            <option value="litellm">LiteLLM</option>
            <option value="manual">{t('manual')}</option>
          </select>
          <button type="submit">{t('Search')}</button>
        </form>
        <button onClick={() => setSync(true)}>{t('Sync prices')}</button>
        <button class="primary" onClick={() => setEditing('new')}>{t('Add manual price')}</button>
      </PageHead>
      <div class="panel flush">
        <Async state={st} what={t('the price table')} isEmpty={(d) => !(d.items || []).length}
          empty={<Empty title={q ? t('No model matches "{q}"', { q }) : t('The price table is empty')} />}>
          {(d) => (
            <>
              <div class="table-wrap">
                <table data-testid="prices-table">
                  <thead>
                    <tr>
                      <th>{t('Model')}</th>
                      {COLS.map(([f, l]) => <th class="num" key={f}>{t(l)}</th>)}
                      <th>{t('Source')}</th>
                      <th>{t('Updated')}</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {d.items.map((p) => (
                      <tr key={p.id} data-model={p.model_name}>
                        <td class="mono small">{p.model_name}{p.litellm_provider && <div class="muted">{p.litellm_provider}</div>}</td>
                        {COLS.map(([f]) => <td class="num" key={f}>{perM(p[f])}</td>)}
                        <td>{sourceBadge(p.source)}</td>
                        <td class="small">{p.updated_at ? dateTime(p.updated_at) : '—'}</td>
                        <td><button class="small" onClick={() => setEditing(p)}>{t('Edit')}</button></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div class="pager">
                <span class="small muted">{t('Prices per million tokens (USD)')} · {t('Page {n}', { n: cursors.length })}</span>
                <button disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>{t('Previous')}</button>
                <button disabled={d.next_cursor == null} onClick={() => setCursors([...cursors, d.next_cursor])}>{t('Next')}</button>
              </div>
            </>
          )}
        </Async>
      </div>
      <Dialog open={!!editing} onClose={() => setEditing(null)} title={editing === 'new' ? t('Add manual price') : t('Edit price of {model}', { model: editing && editing.model_name })}>
        {editing && <PriceForm price={editing === 'new' ? null : editing} onCancel={() => setEditing(null)} onDone={() => { setEditing(null); st.reload(); }} />}
      </Dialog>
      <SyncDialog open={sync} onClose={() => setSync(false)} onDone={st.reload} />
    </div>
  );
}
