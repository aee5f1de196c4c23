import { t } from '../prefs.js';
import { get } from '../api.js';
import { num, usd, relTime, compact, ms } from '../format.js';
import { useAsync, Async, PageHead, Empty } from '../ui.jsx';

export function Sessions() {
  const st = useAsync(() => get('v1/sessions'), []);
  return (
    <div>
      <PageHead title={t('Active sessions')}>
        <button onClick={st.reload}>{t('Refresh')}</button>
      </PageHead>
      <div class="panel flush">
        <Async state={st} what={t('sessions')} isEmpty={(d) => !(d.items || []).length}
          empty={<Empty title={t('No active sessions')} hint={t('Sessions of Claude Code and Codex clients appear here while they are active.')} />}>
          {(d) => (
            <div class="table-wrap">
              <table data-testid="sessions-table">
                <thead>
                  <tr>
                    <th>{t('Session')}</th>
                    <th>{t('User')}</th>
                    <th>{t('Key')}</th>
                    <th>{t('Provider')}</th>
                    <th>{t('Model')}</th>
                    <th class="num">{t('Requests')}</th>
                    <th class="num">{t('Tokens')}</th>
                    <th class="num">{t('Cost')}</th>
                    <th>{t('Duration')}</th>
                    <th>{t('Last seen')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((s, i) => (
                    <tr key={s.session_id || i}>
                      <td class="mono small"><a href={'#/logs?session_id=' + encodeURIComponent(s.session_id || '')}>{(s.session_id || '').slice(0, 18)}{(s.session_id || '').length > 18 ? '…' : ''}</a></td>
                      <td>{s.user_name ?? s.user ?? (s.user_id ? '#' + s.user_id : '—')}</td>
                      <td>{s.key_name ?? s.key ?? (s.key_id ? '#' + s.key_id : '—')}</td>
                      <td>{s.provider_name ?? s.provider ?? (s.provider_id ? '#' + s.provider_id : '—')}</td>
                      <td class="mono small">{s.model || '—'}</td>
                      <td class="num">{num(s.requests ?? s.request_count)}</td>
                      <td class="num">{compact(s.tokens ?? s.total_tokens)}</td>
                      <td class="num">{usd(s.cost_usd)}</td>
                      <td class="nowrap">{s.first_seen && s.last_seen ? ms(new Date(s.last_seen) - new Date(s.first_seen)) : '—'}</td>
                      <td class="nowrap">{relTime(s.last_seen_at ?? s.last_seen ?? s.updated_at)}</td>
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
