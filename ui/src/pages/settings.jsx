import { t, mark } from '../prefs.js';
import { get, patch } from '../api.js';
import { dateTime } from '../format.js';
import { useAsync, Async, PageHead, toast } from '../ui.jsx';
import { EntityForm } from '../form.jsx';

// The editable settings (PATCH /api/v1/settings); the effective_* values the hub reports show
// what an empty or zero setting falls back to.
function sections(d) {
  const eff = (v) => (v === undefined || v === null || v === '' ? '' : t('In effect: {v}', { v }));
  return [
    {
      title: mark('General'),
      fields: [
        { name: 'site_title', label: t('Site title'), type: 'text', optional: true, placeholder: 'cchub' },
        { name: 'timezone', label: t('Timezone'), type: 'text', optional: true, placeholder: d.effective_timezone,
          hint: t('IANA name, e.g. Asia/Shanghai; used for daily/weekly/monthly windows') + ' · ' + eff(d.effective_timezone) },
        { name: 'session_ttl_seconds', label: t('Session TTL (seconds)'), type: 'int',
          hint: t('How long a session keeps its provider') + ' · ' + eff(d.effective_session_ttl_seconds) },
      ],
    },
    {
      title: mark('Logs and prices'),
      fields: [
        { name: 'log_retention_days', label: t('Log retention (days)'), type: 'int', hint: t('0 = keep forever; the usage ledger is never deleted') },
        { name: 'price_sync_interval_hours', label: t('Price sync interval (hours)'), type: 'int', hint: t('0 = only on demand') },
        { name: 'price_sync_url', label: t('Price sync URL'), type: 'text', optional: true, wide: true, placeholder: d.effective_price_sync_url,
          hint: t('Empty = the default LiteLLM table') },
      ],
    },
  ].map((s) => ({ ...s, title: t(s.title) }));
}

export function Settings() {
  const st = useAsync(() => get('v1/settings'), []);
  return (
    <div>
      <PageHead title={t('Settings')} />
      <Async state={st} what={t('settings')} isEmpty={(d) => !d || !Object.keys(d).length}>
        {(d) => (
          <div class="panel" data-testid="settings">
            <EntityForm key={d.updated_at} testid="settings-form" sections={sections(d)} original={d}
              submitLabel={t('Save settings')} hideCancel onCancel={() => { toast(t('Nothing changed')); }}
              onSubmit={async (body) => { await patch('v1/settings', body); toast(t('Settings saved')); st.reload(); }} />
            <p class="small muted">
              {t('Prices last synced')}: {d.price_synced_at ? dateTime(d.price_synced_at) : t('never')} · {t('Updated')}: {dateTime(d.updated_at)}
            </p>
          </div>
        )}
      </Async>
    </div>
  );
}
