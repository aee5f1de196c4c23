import { useState } from 'preact/hooks';
import { t } from '../prefs.js';
import { all, get, post, patch, del } from '../api.js';
import { usd, dateTime, relTime } from '../format.js';
import { useAsync, Async, Dialog, Confirm, Switch, Badge, Empty, PageHead, toast, QuotaLine, useNow, Snippet, CopyButton, Loading, ErrorState } from '../ui.jsx';
import { EntityForm, limitFields } from '../form.jsx';
import { quotaWindows, quotaOwnerId } from '../quota.js';
import { navigate } from '../router.js';
import { hubBase, claudeShell, codexToml, codexEnv } from '../snippets.js';

function userSections() {
  return [
    {
      title: t('User'),
      fields: [
        { name: 'name', label: t('Name'), type: 'text', required: true },
        { name: 'role', label: t('Role'), type: 'select', default: 'user', options: [['user', t('user')], ['admin', t('admin')]] },
        { name: 'is_enabled', label: t('Enabled'), type: 'bool', default: true },
        { name: 'expires_at', label: t('Expires at'), type: 'datetime', hint: t('Empty = never') },
        { name: 'provider_group', label: t('Provider group'), type: 'text', optional: true, placeholder: 'default', hint: t('Comma-separated tags; * = all providers') },
        { name: 'rpm_limit', label: t('Requests per minute'), type: 'int', nullable: true, placeholder: t('no limit') },
        { name: 'allowed_models', label: t('Allowed models'), type: 'list', wide: true, hint: t('One per line; empty = all models') },
        { name: 'description', label: t('Description'), type: 'text', optional: true, wide: true },
      ],
    },
    { title: t('Spend limits'), fields: limitFields('daily_limit_usd') },
  ];
}

function keySections() {
  return [
    {
      title: t('Key'),
      fields: [
        { name: 'name', label: t('Name'), type: 'text', required: true },
        { name: 'is_enabled', label: t('Enabled'), type: 'bool', default: true },
        { name: 'can_login_web_ui', label: t('May log in to the web UI'), type: 'bool', default: false, hint: t('Lets the key holder see their own usage') },
        { name: 'expires_at', label: t('Expires at'), type: 'datetime', hint: t('Empty = never') },
        { name: 'provider_group', label: t('Provider group'), type: 'text', optional: true, hint: t("Empty = the user's group") },
      ],
    },
    { title: t('Spend limits'), fields: limitFields('limit_daily_usd') },
  ];
}

async function quotaMap(kind) {
  try {
    const items = await all('v1/quotas/' + kind + 's');
    const m = {};
    for (const it of items) m[quotaOwnerId(it, kind)] = it;
    return m;
  } catch {
    return null; // not offered (yet): the lists show limits without usage
  }
}

// Limits shows each configured limit, with usage and reset countdown when the quota view has it.
function Limits({ obj, quota, dailyName, now }) {
  const ws = quota ? quotaWindows(quota) : [];
  if (ws.length) {
    const shown = ws.filter((w) => w.limit !== null && w.limit !== undefined && w.limit !== '' && Number(w.limit) !== 0);
    if (!shown.length) return <span class="muted small">{t('no limits')}</span>;
    return <div class="stack" data-testid="usage">{shown.map((w) => <QuotaLine key={w.window} label={w.label} used={w.used} limit={w.limit} resetsAt={w.resetsAt} now={now} money={w.money} />)}</div>;
  }
  const lim = [
    ['5h', obj.limit_5h_usd], [t('Daily'), obj[dailyName]], [t('Weekly'), obj.limit_weekly_usd],
    [t('Monthly'), obj.limit_monthly_usd], [t('Total'), obj.limit_total_usd],
  ].filter(([, v]) => v !== null && v !== undefined);
  if (!lim.length && !obj.rpm_limit && !obj.limit_concurrent_sessions) return <span class="muted small">{t('no limits')}</span>;
  return (
    <div class="small">
      {lim.map(([l, v]) => <div key={l}>{l}: {usd(v)}</div>)}
      {obj.rpm_limit ? <div>RPM: {obj.rpm_limit}</div> : null}
      {obj.limit_concurrent_sessions ? <div>{t('Concurrent sessions')}: {obj.limit_concurrent_sessions}</div> : null}
    </div>
  );
}

function Expiry({ at }) {
  if (!at) return <span class="muted">{t('never')}</span>;
  const past = new Date(at).getTime() < Date.now();
  return past ? <Badge kind="err">{t('expired')} {dateTime(at)}</Badge> : <span>{dateTime(at)}</span>;
}

export function UserForm({ user, onDone, onCancel }) {
  return (
    <EntityForm testid="user-form" sections={userSections()} original={user} onCancel={onCancel}
      submitLabel={user ? t('Save') : t('Create user')}
      onSubmit={async (body) => {
        const saved = user ? await patch('v1/users/' + user.id, body) : await post('v1/users', body);
        toast(user ? t('User saved') : t('User created'));
        onDone(saved);
      }} />
  );
}

export function Users() {
  const list = useAsync(() => all('v1/users'), []);
  const quotas = useAsync(() => quotaMap('user'), []);
  const now = useNow(1000);
  const [editing, setEditing] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [q, setQ] = useState('');
  const reload = () => { list.reload(); quotas.reload(); };
  const toggle = async (u, on) => {
    try {
      await patch('v1/users/' + u.id, { is_enabled: on });
      toast(on ? t('{name} enabled', { name: u.name }) : t('{name} disabled', { name: u.name }));
      list.reload();
    } catch (e) { toast(e.message, 'err'); }
  };
  return (
    <div>
      <PageHead title={t('Users & keys')}>
        <input type="search" class="grow" placeholder={t('Search users')} value={q} onInput={(e) => setQ(e.currentTarget.value)} aria-label={t('Search users')} />
        <button onClick={reload}>{t('Refresh')}</button>
        <button class="primary" data-testid="add-user" onClick={() => setEditing('new')}>{t('Add user')}</button>
      </PageHead>
      <div class="panel flush">
        <Async state={list} what={t('users')} isEmpty={(d) => !d.length}
          empty={<Empty title={t('No users yet')} hint={t('Create a user, then give them an API key.')} />}>
          {(items) => {
            const shown = items.filter((u) => !q || u.name.toLowerCase().includes(q.toLowerCase()));
            return (
              <div class="table-wrap">
                <table data-testid="users-table">
                  <thead>
                    <tr>
                      <th>{t('Name')}</th>
                      <th>{t('Role')}</th>
                      <th>{t('Enabled')}</th>
                      <th>{t('Expires')}</th>
                      <th>{t('Provider group')}</th>
                      <th>{t('Usage and limits')}</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((u) => (
                      <tr key={u.id} data-user={u.name}>
                        <td><a href={'#/users/' + u.id}><strong>{u.name}</strong></a>{u.description && <div class="small muted">{u.description}</div>}</td>
                        <td><Badge kind={u.role === 'admin' ? 'info' : ''}>{t(u.role)}</Badge></td>
                        <td><Switch checked={u.is_enabled} label={t('Enabled')} testid="toggle" onChange={(on) => toggle(u, on)} /></td>
                        <td><Expiry at={u.expires_at} /></td>
                        <td>{u.provider_group || 'default'}</td>
                        <td><Limits obj={u} quota={quotas.data && quotas.data[u.id]} dailyName="daily_limit_usd" now={now} /></td>
                        <td class="nowrap right">
                          <button class="small" data-testid="keys" onClick={() => navigate('users/' + u.id)}>{t('Keys')}</button>{' '}
                          <button class="small" data-testid="edit" onClick={() => setEditing(u)}>{t('Edit')}</button>{' '}
                          <button class="small danger" data-testid="delete" onClick={() => setDeleting(u)}>{t('Delete')}</button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {!shown.length && <Empty title={t('No matching users')} />}
              </div>
            );
          }}
        </Async>
      </div>
      <Dialog open={!!editing} onClose={() => setEditing(null)} title={editing === 'new' ? t('Add user') : t('Edit user {name}', { name: editing && editing.name })} testid="user-dialog">
        {editing && <UserForm user={editing === 'new' ? null : editing} onCancel={() => setEditing(null)}
          onDone={(u) => { setEditing(null); if (editing === 'new') navigate('users/' + u.id); else reload(); }} />}
      </Dialog>
      <Confirm open={!!deleting} onClose={() => setDeleting(null)} title={t('Delete user')}
        message={deleting && t('Delete user {name} and all of their keys? Their keys stop working at once.', { name: deleting.name })}
        onConfirm={async () => { await del('v1/users/' + deleting.id); toast(t('User deleted')); reload(); }} />
    </div>
  );
}

// KeyCreated shows a new key once, with the setup snippets for Claude Code and Codex CLI.
export function KeyCreated({ created, onClose }) {
  const base = hubBase();
  const [tab, setTab] = useState('claude');
  if (!created) return null;
  return (
    <Dialog open onClose={onClose} title={t('Key created: {name}', { name: created.name })} testid="key-created"
      footer={<button class="primary" data-testid="key-done" onClick={onClose}>{t('I have saved the key')}</button>}>
      <div class="alert info">{t('This is the only time the full key is shown. Copy it now; the hub stores only a hash.')}</div>
      <div class="row">
        <div class="secret grow" data-testid="new-key">{created.key}</div>
        <CopyButton text={created.key} small={false} label={t('Copy key')} />
      </div>
      <div class="tabs" role="tablist">
        <button class={tab === 'claude' ? 'on' : ''} onClick={() => setTab('claude')}>Claude Code</button>
        <button class={tab === 'codex' ? 'on' : ''} onClick={() => setTab('codex')}>Codex CLI</button>
      </div>
      {tab === 'claude' ? (
        <div class="stack">
          <div class="small muted">{t('Run in a shell (macOS / Linux):')}</div>
          <Snippet testid="snippet-claude" text={claudeShell(base, created.key)} />
        </div>
      ) : (
        <div class="stack">
          <Snippet testid="snippet-codex" text={codexToml(base)} />
          <div class="small muted">{t('Then set the key and run Codex:')}</div>
          <Snippet testid="snippet-codex-env" text={codexEnv(created.key)} />
        </div>
      )}
    </Dialog>
  );
}

export function UserDetail({ id }) {
  const user = useAsync(() => get('v1/users/' + id), [id]);
  const keys = useAsync(() => all('v1/users/' + id + '/keys'), [id]);
  const quotas = useAsync(() => quotaMap('key'), [id]);
  const now = useNow(1000);
  const [editUser, setEditUser] = useState(false);
  const [editing, setEditing] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [created, setCreated] = useState(null);
  const reload = () => { keys.reload(); quotas.reload(); };
  const toggle = async (k, on) => {
    try {
      await patch('v1/keys/' + k.id, { is_enabled: on });
      toast(on ? t('{name} enabled', { name: k.name }) : t('{name} disabled', { name: k.name }));
      keys.reload();
    } catch (e) { toast(e.message, 'err'); }
  };

  if (user.error) return user.error.status === 404 ? <Empty title={t('User not found')}><a href="#/users">{t('Back to users')}</a></Empty> : <ErrorState error={user.error} onRetry={user.reload} />;
  if (!user.data) return <Loading />;
  const u = user.data;
  return (
    <div>
      <PageHead title={u.name}>
        <a href="#/users" class="btn">← {t('Users')}</a>
        <a class="btn" href={'#/logs?user_id=' + u.id}>{t('Usage logs')}</a>
        <button data-testid="edit-user" onClick={() => setEditUser(true)}>{t('Edit user')}</button>
        <button class="primary" data-testid="add-key" onClick={() => setEditing('new')}>{t('New key')}</button>
      </PageHead>
      <div class="panel" data-testid="user-card">
        <dl class="kv">
          <dt>{t('Role')}</dt><dd>{t(u.role)}</dd>
          <dt>{t('Status')}</dt><dd>{u.is_enabled ? <Badge kind="ok">{t('enabled')}</Badge> : <Badge kind="err">{t('disabled')}</Badge>}</dd>
          <dt>{t('Expires')}</dt><dd><Expiry at={u.expires_at} /></dd>
          <dt>{t('Provider group')}</dt><dd>{u.provider_group || 'default'}</dd>
          <dt>{t('Allowed models')}</dt><dd>{u.allowed_models && u.allowed_models.length ? u.allowed_models.join(', ') : t('all')}</dd>
          <dt>{t('Limits')}</dt><dd><Limits obj={u} dailyName="daily_limit_usd" now={now} /></dd>
        </dl>
      </div>
      <h2 class="mt">{t('API keys')}</h2>
      <div class="panel flush">
        <Async state={keys} what={t('keys')} isEmpty={(d) => !d.length}
          empty={<Empty title={t('No keys yet')} hint={t('Create a key to let this user call the hub.')} />}>
          {(items) => (
            <div class="table-wrap">
              <table data-testid="keys-table">
                <thead>
                  <tr>
                    <th>{t('Name')}</th>
                    <th>{t('Key')}</th>
                    <th>{t('Enabled')}</th>
                    <th>{t('Web login')}</th>
                    <th>{t('Expires')}</th>
                    <th>{t('Usage and limits')}</th>
                    <th>{t('Last used')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((k) => (
                    <tr key={k.id} data-key={k.name}>
                      <td><strong>{k.name}</strong></td>
                      <td class="mono">{k.key_prefix}…</td>
                      <td><Switch checked={k.is_enabled} label={t('Enabled')} testid="toggle" onChange={(on) => toggle(k, on)} /></td>
                      <td>{k.can_login_web_ui ? <Badge kind="info">{t('yes')}</Badge> : <span class="muted">{t('no')}</span>}</td>
                      <td><Expiry at={k.expires_at} /></td>
                      <td><Limits obj={k} quota={quotas.data && quotas.data[k.id]} dailyName="limit_daily_usd" now={now} /></td>
                      <td>{k.last_used_at ? relTime(k.last_used_at) : <span class="muted">{t('never')}</span>}</td>
                      <td class="nowrap right">
                        <a class="btn small" href={'#/logs?key_id=' + k.id}>{t('Logs')}</a>{' '}
                        <button class="small" data-testid="edit" onClick={() => setEditing(k)}>{t('Edit')}</button>{' '}
                        <button class="small danger" data-testid="delete" onClick={() => setDeleting(k)}>{t('Delete')}</button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Async>
      </div>
      <Dialog open={editUser} onClose={() => setEditUser(false)} title={t('Edit user {name}', { name: u.name })} testid="user-dialog">
        {editUser && <UserForm user={u} onCancel={() => setEditUser(false)} onDone={() => { setEditUser(false); user.reload(); }} />}
      </Dialog>
      <Dialog open={!!editing} onClose={() => setEditing(null)} title={editing === 'new' ? t('New key for {name}', { name: u.name }) : t('Edit key {name}', { name: editing && editing.name })} testid="key-dialog">
        {editing && (
          <EntityForm testid="key-form" sections={keySections()} original={editing === 'new' ? null : editing}
            submitLabel={editing === 'new' ? t('Create key') : t('Save')} onCancel={() => setEditing(null)}
            onSubmit={async (body) => {
              if (editing === 'new') {
                const k = await post('v1/users/' + u.id + '/keys', body);
                setEditing(null);
                setCreated(k);
              } else {
                await patch('v1/keys/' + editing.id, body);
                toast(t('Key saved'));
                setEditing(null);
              }
              reload();
            }} />
        )}
      </Dialog>
      <KeyCreated created={created} onClose={() => setCreated(null)} />
      <Confirm open={!!deleting} onClose={() => setDeleting(null)} title={t('Delete key')}
        message={deleting && t('Delete key {name}? Clients using it are refused at once.', { name: deleting.name })}
        onConfirm={async () => { await del('v1/keys/' + deleting.id); toast(t('Key deleted')); reload(); }} />
    </div>
  );
}
