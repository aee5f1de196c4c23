import { useState } from 'preact/hooks';
import { t } from '../prefs.js';
import { all, get, post, patch, del } from '../api.js';
import { usd, num, pct, dateTime, countdown } from '../format.js';
import { useAsync, Async, Dialog, Confirm, Switch, Badge, Empty, PageHead, toast, useNow } from '../ui.jsx';
import { EntityForm, limitFields } from '../form.jsx';

export const providerTypes = [
  ['claude', 'Claude (Anthropic Messages)'],
  ['claude-auth', 'Claude (Bearer only)'],
  ['codex', 'Codex (OpenAI Responses)'],
  ['openai-compatible', 'OpenAI-compatible (Chat)'],
  ['gemini', 'Gemini'],
];

function providerSections() {
  return [
    {
      title: t('Endpoint and key'),
      fields: [
        { name: 'name', label: t('Name'), type: 'text', required: true },
        { name: 'type', label: t('Type'), type: 'select', default: 'claude', options: providerTypes },
        { name: 'url', label: t('Base URL'), type: 'text', required: true, placeholder: 'https://api.anthropic.com', wide: true },
        { name: 'key', label: t('Upstream API key'), type: 'password', required: true, raw: false, wide: true,
          hint: t('Write-only: the hub never shows it again.') },
        { name: 'proxy_url', label: t('Proxy URL'), type: 'text', optional: true, placeholder: 'socks5://…', hint: t('Empty = direct connection') },
        { name: 'description', label: t('Description'), type: 'text', optional: true },
      ],
    },
    {
      title: t('Routing'),
      fields: [
        { name: 'is_enabled', label: t('Enabled'), type: 'bool', default: true },
        { name: 'priority', label: t('Priority'), type: 'int', default: 0, hint: t('Lower number = tried first') },
        { name: 'weight', label: t('Weight'), type: 'int', default: 1, hint: t('1–1000, within the same priority') },
        { name: 'cost_multiplier', label: t('Cost multiplier'), type: 'float', default: 1 },
        { name: 'group_tag', label: t('Group tags'), type: 'text', optional: true, placeholder: 'default', hint: t('Comma-separated; empty = default') },
        { name: 'allowed_models', label: t('Allowed models'), type: 'list', wide: true, placeholder: 'claude-sonnet-4-6', hint: t('One per line; empty = all models') },
        { name: 'model_redirects', label: t('Model redirects'), type: 'map', wide: true, placeholder: 'claude-opus-4-1 = claude-sonnet-4-6', hint: t('One "from = to" pair per line') },
      ],
    },
    { title: t('Limits'), fields: limitFields('limit_daily_usd') },
    {
      title: t('Circuit breaker and retries'),
      fields: [
        { name: 'circuit_breaker_failure_threshold', label: t('Failures to open'), type: 'int', default: 5, hint: t('0 = never open') },
        { name: 'circuit_breaker_open_duration_ms', label: t('Open duration (ms)'), type: 'int', default: 1800000, hint: t('1800000 = 30 min') },
        { name: 'circuit_breaker_half_open_success_threshold', label: t('Successes to close'), type: 'int', default: 2 },
        { name: 'max_retry_attempts', label: t('Attempts per request'), type: 'int', nullable: true, placeholder: '2', hint: t('1–10; empty = default (2)') },
      ],
    },
    {
      title: t('Timeouts'),
      fields: [
        { name: 'first_byte_timeout_ms', label: t('First byte (ms)'), type: 'int', default: 0, hint: t('Streaming; 0 = none') },
        { name: 'streaming_idle_timeout_ms', label: t('Stream idle (ms)'), type: 'int', default: 0, hint: t('0 = none') },
        { name: 'request_timeout_ms', label: t('Total, non-streaming (ms)'), type: 'int', default: 0, hint: t('0 = none') },
      ],
    },
  ];
}

// ProviderForm creates (no provider) or edits a provider.
export function ProviderForm({ provider, onDone, onCancel }) {
  const sections = providerSections();
  if (provider) {
    const keyField = sections[0].fields.find((f) => f.name === 'key');
    keyField.editPlaceholder = t('unchanged ({masked})', { masked: provider.key_masked || '••••' });
  }
  return (
    <EntityForm
      testid="provider-form"
      sections={sections}
      original={provider}
      submitLabel={provider ? t('Save') : t('Create provider')}
      onCancel={onCancel}
      onSubmit={async (body) => {
        const saved = provider ? await patch('v1/providers/' + provider.id, body) : await post('v1/providers', body);
        toast(provider ? t('Provider saved') : t('Provider created'));
        onDone(saved);
      }}
    />
  );
}

export function CircuitBadge({ p }) {
  const now = useNow(5000);
  if (!p.circuit_state) return <span class="muted">—</span>;
  const s = p.circuit_state;
  const kind = s === 'closed' ? 'ok' : s === 'open' ? 'err' : 'warn';
  const label = s === 'closed' ? t('closed') : s === 'open' ? t('open') : t('half-open');
  return (
    <span class="row" data-testid="circuit">
      <Badge kind={kind}>{label}</Badge>
      {p.circuit_failures > 0 && <span class="small muted">{t('{n} failures', { n: p.circuit_failures })}</span>}
      {s === 'open' && p.circuit_open_until && <span class="small muted">{countdown(p.circuit_open_until, now)}</span>}
    </span>
  );
}

// todayStats fetches today's per-provider numbers from the leaderboard when the hub has it.
async function todayStats() {
  try {
    const r = await get('v1/leaderboard', { scope: 'provider', period: 'daily' });
    const out = {};
    for (const it of (r && (r.items || r.entries)) || []) {
      const id = it.provider_id ?? it.id;
      if (id !== undefined) out['id:' + id] = it;
      if (it.name) out['name:' + it.name] = it;
    }
    return out;
  } catch {
    return null;
  }
}

export function Providers() {
  const list = useAsync(() => all('v1/providers'), []);
  const stats = useAsync(todayStats, []);
  const [editing, setEditing] = useState(null); // null | 'new' | provider
  const [deleting, setDeleting] = useState(null);
  const [testing, setTesting] = useState({});
  const [tests, setTests] = useState({});

  const reload = () => { list.reload(); stats.reload(); };
  const toggle = async (p, on) => {
    try {
      await patch('v1/providers/' + p.id, { is_enabled: on });
      toast(on ? t('{name} enabled', { name: p.name }) : t('{name} disabled', { name: p.name }));
      list.reload();
    } catch (e) {
      toast(e.message, 'err');
    }
  };
  const test = async (p) => {
    setTesting((x) => ({ ...x, [p.id]: true }));
    try {
      const r = await post('v1/providers/' + p.id + '/test');
      setTests((x) => ({ ...x, [p.id]: r }));
      toast(r.ok ? t('{name}: OK, {ms} ms', { name: p.name, ms: r.latency_ms }) : t('{name}: failed ({status}) {msg}', { name: p.name, status: r.status_code || '—', msg: r.message || '' }), r.ok ? 'ok' : 'err');
    } catch (e) {
      toast(e.notAvailable ? t('Provider test is not available yet.') : e.message, 'err');
    } finally {
      setTesting((x) => ({ ...x, [p.id]: false }));
    }
  };
  const reset = async (p) => {
    try {
      await post('v1/providers/' + p.id + '/circuit/reset');
      toast(t('Circuit of {name} reset', { name: p.name }));
      list.reload();
    } catch (e) {
      toast(e.notAvailable ? t('Circuit reset is not available yet.') : e.message, 'err');
    }
  };
  const st = (p) => stats.data && (stats.data['id:' + p.id] || stats.data['name:' + p.name]);

  return (
    <div>
      <PageHead title={t('Providers')}>
        <button onClick={reload}>{t('Refresh')}</button>
        <button class="primary" data-testid="add-provider" onClick={() => setEditing('new')}>{t('Add provider')}</button>
      </PageHead>
      <div class="panel flush">
        <Async state={list} what={t('providers')} isEmpty={(d) => !d.length}
          empty={<Empty title={t('No providers yet')} hint={t('Add an upstream (Anthropic, OpenAI, Codex, Gemini or a compatible relay) to start routing requests.')} />}>
          {(items) => (
            <div class="table-wrap">
              <table data-testid="providers-table">
                <thead>
                  <tr>
                    <th>{t('Name')}</th>
                    <th>{t('Enabled')}</th>
                    <th>{t('Circuit')}</th>
                    <th>{t('Routing')}</th>
                    <th class="num">{t('Today requests')}</th>
                    <th class="num">{t('Today cost')}</th>
                    <th class="num">{t('Error rate')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => {
                    const s = st(p);
                    const tr = tests[p.id];
                    return (
                      <tr key={p.id} data-provider={p.name}>
                        <td>
                          <div><strong>{p.name}</strong> <Badge>{p.type}</Badge></div>
                          <div class="small muted mono">{p.url}</div>
                          {tr && <div class={'small ' + (tr.ok ? 'muted' : '')} data-testid="test-result">
                            {tr.ok ? <Badge kind="ok">{t('test OK')}</Badge> : <Badge kind="err">{t('test failed')}</Badge>} {tr.status_code || ''} {tr.latency_ms} ms {tr.model ? '· ' + tr.model : ''} {tr.ok ? '' : tr.message}
                          </div>}
                        </td>
                        <td><Switch checked={p.is_enabled} label={t('Enabled')} testid="toggle" onChange={(on) => toggle(p, on)} /></td>
                        <td><CircuitBadge p={p} /></td>
                        <td class="small nowrap" data-col="routing">
                          <div>{t('priority {p}, weight {w}', { p: p.priority, w: p.weight })}</div>
                          <div class="muted">×{p.cost_multiplier} · {p.group_tag || 'default'}</div>
                        </td>
                        <td class="num">{s ? num(s.requests ?? s.request_count) : '—'}</td>
                        <td class="num">{s ? usd(s.cost_usd) : '—'}</td>
                        <td class="num">{s ? errRate(s) : '—'}</td>
                        <td class="nowrap right">
                          <button class="small" disabled={testing[p.id]} data-testid="test" onClick={() => test(p)}>{testing[p.id] ? t('Testing…') : t('Test')}</button>{' '}
                          {p.circuit_state && p.circuit_state !== 'closed' && <><button class="small" data-testid="reset" onClick={() => reset(p)}>{t('Reset circuit')}</button>{' '}</>}
                          <button class="small" data-testid="edit" onClick={() => setEditing(p)}>{t('Edit')}</button>{' '}
                          <button class="small danger" data-testid="delete" onClick={() => setDeleting(p)}>{t('Delete')}</button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </Async>
      </div>
      <Dialog open={!!editing} onClose={() => setEditing(null)} title={editing === 'new' ? t('Add provider') : t('Edit provider {name}', { name: editing && editing.name })} testid="provider-dialog">
        {editing && (
          <ProviderForm provider={editing === 'new' ? null : editing} onCancel={() => setEditing(null)}
            onDone={() => { setEditing(null); reload(); }} />
        )}
      </Dialog>
      <Confirm open={!!deleting} onClose={() => setDeleting(null)} title={t('Delete provider')}
        message={deleting && t('Delete provider {name}? Requests already logged keep their history.', { name: deleting.name })}
        onConfirm={async () => { await del('v1/providers/' + deleting.id); toast(t('Provider deleted')); reload(); }} />
    </div>
  );
}

function errRate(s) {
  if (s.error_rate !== undefined && s.error_rate !== null) return pct(s.error_rate);
  if (s.success_rate !== undefined && s.success_rate !== null) return pct(1 - Number(s.success_rate));
  return '—';
}

