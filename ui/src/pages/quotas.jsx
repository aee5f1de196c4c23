import { t } from '../prefs.js';
import { get } from '../api.js';
import { useAsync, Async, PageHead, Seg, Empty, QuotaLine, useNow } from '../ui.jsx';
import { quotaWindows, quotaOwnerId } from '../quota.js';
import { replaceQuery } from '../router.js';

const KINDS = ['users', 'keys', 'providers'];

// QuotaGrid shows each owner's windows (usage vs limit, countdown to reset).
export function QuotaGrid({ items, kind }) {
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
            return (
              <tr key={i}>
                <td><strong>{it.name ?? it[kind + '_name'] ?? '#' + quotaOwnerId(it, kind)}</strong>{it.user_name && kind === 'key' && <div class="small muted">{it.user_name}</div>}</td>
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
  const st = useAsync(() => get('v1/quotas/' + kind), [kind]);
  return (
    <div>
      <PageHead title={t('Quotas')}>
        <Seg value={kind} onChange={(k) => replaceQuery({ of: k })} options={[['users', t('Users')], ['keys', t('Keys')], ['providers', t('Providers')]]} />
        <button onClick={st.reload}>{t('Refresh')}</button>
      </PageHead>
      <div class="panel flush">
        <Async state={st} what={t('quotas')} isEmpty={(d) => !(d.items || []).length}
          empty={<Empty title={t('Nothing to show')} hint={t('Set spend limits on users, keys or providers to track them here.')} />}>
          {(d) => <QuotaGrid items={d.items} kind={kind.slice(0, -1)} />}
        </Async>
      </div>
    </div>
  );
}
