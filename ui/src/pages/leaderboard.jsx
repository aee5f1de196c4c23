import { t } from '../prefs.js';
import { get } from '../api.js';
import { num, usd, pct, ms, compact } from '../format.js';
import { useAsync, Async, PageHead, Seg, Empty } from '../ui.jsx';
import { replaceQuery } from '../router.js';

const SCOPES = ['user', 'key', 'provider', 'model'];
const PERIODS = ['daily', 'weekly', 'monthly', 'all'];

function label(it, scope) {
  return it.name ?? it[scope + '_name'] ?? it.model ?? '#' + (it.id ?? it[scope + '_id']);
}

function tokens(it) {
  if (it.tokens !== undefined) return it.tokens;
  if (it.total_tokens !== undefined) return it.total_tokens;
  const parts = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'];
  if (!parts.some((p) => it[p] !== undefined)) return undefined;
  return parts.reduce((s, p) => s + (Number(it[p]) || 0), 0);
}

export function Leaderboard({ route }) {
  const scope = SCOPES.includes(route.query.get('scope')) ? route.query.get('scope') : 'user';
  const period = PERIODS.includes(route.query.get('period')) ? route.query.get('period') : 'daily';
  const st = useAsync(() => get('v1/leaderboard', { scope, period, limit: 100 }), [scope, period]);
  return (
    <div>
      <PageHead title={t('Leaderboard')}>
        <Seg testid="scope" value={scope} onChange={(s) => replaceQuery({ scope: s, period })}
          options={[['user', t('Users')], ['key', t('Keys')], ['provider', t('Providers')], ['model', t('Models')]]} />
        <Seg testid="period" value={period} onChange={(p) => replaceQuery({ scope, period: p })}
          options={[['daily', t('Today')], ['weekly', t('This week')], ['monthly', t('This month')], ['all', t('All time')]]} />
      </PageHead>
      <div class="panel flush">
        <Async state={st} what={t('the leaderboard')} isEmpty={(d) => !(d.items || []).length}
          empty={<Empty title={t('No requests in this period')} />}>
          {(d) => (
            <div class="table-wrap">
              <table data-testid="leaderboard-table">
                <thead>
                  <tr>
                    <th class="rank">#</th>
                    <th>{scope === 'model' ? t('Model') : t('Name')}</th>
                    <th class="num">{t('Requests')}</th>
                    <th class="num">{t('Tokens')}</th>
                    <th class="num">{t('Cache read')}</th>
                    <th class="num">{t('Cost')}</th>
                    <th class="num">{t('Success rate')}</th>
                    <th class="num">{t('Avg TTFB')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((it, i) => (
                    <tr key={i} data-row={label(it, scope)}>
                      <td class="rank">{i + 1}</td>
                      <td><strong>{label(it, scope)}</strong>{it.user_name && <div class="small muted">{it.user_name}</div>}</td>
                      <td class="num">{num(it.requests ?? it.request_count)}</td>
                      <td class="num">{compact(tokens(it))}</td>
                      <td class="num">{compact(it.cache_read_input_tokens ?? it.cache_read_tokens)}</td>
                      <td class="num" data-col="cost">{usd(it.cost_usd)}</td>
                      <td class="num">{pct(it.success_rate)}</td>
                      <td class="num">{ms(it.avg_ttfb_ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Async>
      </div>
    </div>
  );
}
