import { useState, useEffect } from 'preact/hooks';
import { t, mark } from '../prefs.js';
import { get, patch } from '../api.js';
import { useAsync, Async, PageHead, toast } from '../ui.jsx';

// Known settings get a label and hint; any other scalar setting the hub returns is shown too,
// so new settings appear without a UI change.
const KNOWN = {
  site_title: [mark('Site title'), ''],
  timezone: [mark('Timezone'), mark('IANA name, e.g. Asia/Shanghai; used for daily/weekly/monthly windows')],
  log_retention_days: [mark('Log retention (days)'), mark('0 = keep forever; the usage ledger is never deleted')],
  price_sync_interval_hours: [mark('Price sync interval (hours)'), mark('0 = only on demand')],
  price_sync_url: [mark('Price sync URL'), mark('Empty = the default LiteLLM table')],
  session_ttl_seconds: [mark('Session TTL (seconds)'), mark('How long a session keeps its provider')],
};

function SettingsForm({ data, onSaved }) {
  const entries = Object.entries(data).filter(([k, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
  const [vals, setVals] = useState(() => Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'boolean' ? v : v === null ? '' : String(v)])));
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setVals(Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'boolean' ? v : v === null ? '' : String(v)]))), [data]);
  const submit = async (e) => {
    e.preventDefault();
    const body = {};
    for (const [k, v] of entries) {
      const nv = vals[k];
      if (typeof v === 'boolean') { if (nv !== v) body[k] = nv; continue; }
      if (nv === (v === null ? '' : String(v))) continue;
      if (typeof v === 'number') {
        const n = Number(nv);
        if (nv.trim() === '' || !Number.isFinite(n)) return setErr({ message: t('{k} must be a number', { k }), field: k });
        body[k] = n;
      } else body[k] = nv;
    }
    if (!Object.keys(body).length) return toast(t('Nothing changed'));
    setBusy(true);
    setErr(null);
    try {
      await patch('v1/settings', body);
      toast(t('Settings saved'));
      onSaved();
    } catch (e2) {
      setErr(e2);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} class="panel" data-testid="settings-form">
      {err && <div class="alert" role="alert">{err.message}</div>}
      <div class="form-grid">
        {entries.map(([k, v]) => {
          const [label, hint] = KNOWN[k] || [k.replace(/_/g, ' '), ''];
          const invalid = err && err.field === k;
          if (typeof v === 'boolean') {
            return (
              <div class="field" key={k}>
                <label class="check"><input type="checkbox" checked={vals[k]} onChange={(e) => setVals({ ...vals, [k]: e.currentTarget.checked })} /><span>{t(label)}</span></label>
                {hint && <span class="hint">{t(hint)}</span>}
              </div>
            );
          }
          return (
            <label class="field" key={k}>
              <span>{t(label)}</span>
              <input value={vals[k]} class={invalid ? 'invalid' : ''} inputMode={typeof v === 'number' ? 'decimal' : undefined}
                onInput={(e) => setVals({ ...vals, [k]: e.currentTarget.value })} />
              {hint && <span class="hint">{t(hint)}</span>}
            </label>
          );
        })}
      </div>
      <div class="row end mt">
        <button class="primary" type="submit" disabled={busy}>{t('Save settings')}</button>
      </div>
    </form>
  );
}

export function Settings() {
  const st = useAsync(() => get('v1/settings'), []);
  return (
    <div>
      <PageHead title={t('Settings')} />
      <Async state={st} what={t('settings')} isEmpty={(d) => !d || !Object.keys(d).length}>
        {(d) => <SettingsForm data={d} onSaved={st.reload} />}
      </Async>
    </div>
  );
}
