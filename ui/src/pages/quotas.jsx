import { t } from '../prefs.js';
import { all } from '../api.js';
import { useAsync, Async, PageHead, Seg, Empty, QuotaLine, useNow, Badge } from '../ui.jsx';
import { usd } from '../format.js';
import { useNames } from './logs.jsx';
import { quotaWindows, quotaOwnerId } from '../quota.js';
import { replaceQuery } from '../router.js';

const KINDS = ['users', 'keys', 'providers'];

// QuotaGrid shows each owner's windows (usage vs limit, countdown to reset).
export function QuotaGrid({ items, kind, names }) {
  const now = useNow(1000);
  return (
    <div class="table-wrap">
      <table data-testid="quotas-table">
        <thead>
          <tr>
            <th>{t('Name')}</th>
            <th>{t('Windows')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((it, i) => {
            const ws = quotaWindows(it);
            const name = it.name ?? it[kind + '_name'] ?? '#' + quotaOwnerId(it, kind);
            const owner = kind === 'key' && (it.user_name || (it.user_id && names.user[it.user_id]));
            return (
              <tr key={i} data-row={name}>
                <td>
                  <strong>{name}</strong>
                  {owner && <div class="small muted">{owner}</div>}
                  {it.is_enabled === false && <div><Badge kind="err">{t('disabled')}</Badge></div>}
                  {Number(it.reserved_usd) > 0 && <div class="small muted">{t('in flight')}: {usd(it.reserved_usd)}</div>}
                </td>
                <td>
                  {ws.length ? (
                    <div class="grid3">
                      {ws.map((w) => <QuotaLine key={w.window} label={w.label} used={w.used} limit={w.limit} resetsAt={w.resetsAt} now={now} money={w.money} />)}
                    </div>
                  ) : <span class="muted">{t('no limits')}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function Quotas({ route }) {
  const kind = KINDS.includes(route.query.get('of')) ? route.query.get('of') : 'users';
  const st = useAsync(() => all('v1/quotas/' + kind).then((items) => ({ items })), [kind]);
  const names = useNames();
  return (
    <div>
      <PageHead title={t('Quotas')}>
        <Seg value={kind} onChange={(k) => replaceQuery({ of: k })} options={[['users', t('Users')], ['keys', t('Keys')], ['providers', t('Providers')]]} />
        <button onClick={st.reload}>{t('Refresh')}</button>
      </PageHead>
      <div class="panel flush">
        <Async state={st} what={t('quotas')} isEmpty={(d) => !(d.items || []).length}
          empty={<Empty title={t('Nothing to show')} hint={t('Set spend limits on users, keys or providers to track them here.')} />}>
          {(d) => <QuotaGrid items={d.items} kind={kind.slice(0, -1)} names={names} />}
        </Async>
      </div>
    </div>
  );
}
