// App shell: who is logged in, the navigation for admins and for key logins, language and theme
// switches, and the page router.
import { useState, useEffect } from 'preact/hooks';
import { t, subscribe } from './prefs.js';
import { LangSwitch, ThemeSwitch } from './switches.jsx';
import { api, setUnauthorizedHandler } from './api.js';
import { useRoute, navigate } from './router.js';
import { Loading, ErrorState, Toasts } from './ui.jsx';
import { Login } from './pages/login.jsx';
import { Dashboard } from './pages/dashboard.jsx';
import { Providers } from './pages/providers.jsx';
import { Users, UserDetail } from './pages/users.jsx';
import { Logs } from './pages/logs.jsx';
import { Leaderboard } from './pages/leaderboard.jsx';
import { Quotas } from './pages/quotas.jsx';
import { Sessions } from './pages/sessions.jsx';
import { Prices } from './pages/prices.jsx';
import { Settings } from './pages/settings.jsx';
import { Connect } from './pages/connect.jsx';
import { MyUsage } from './pages/me.jsx';

const adminNav = () => [
  ['dashboard', t('Dashboard')],
  ['providers', t('Providers')],
  ['users', t('Users & keys')],
  ['logs', t('Usage logs')],
  ['leaderboard', t('Leaderboard')],
  ['quotas', t('Quotas')],
  ['sessions', t('Sessions')],
  ['prices', t('Prices')],
  ['settings', t('Settings')],
  ['connect', t('Connect')],
];
const keyNav = () => [
  ['me', t('My usage')],
  ['connect', t('Connect')],
];

export function App() {
  // Re-render everything when the language or theme changes.
  const [, setTick] = useState(0);
  useEffect(() => subscribe(() => setTick((n) => n + 1)), []);

  const [me, setMe] = useState(undefined); // undefined: checking; null: logged out
  const [meErr, setMeErr] = useState(null);
  const check = () => {
    setMeErr(null);
    api('auth/me').then(setMe, (e) => (e.status === 401 ? setMe(null) : setMeErr(e)));
  };
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    check();
  }, []);

  if (meErr) return <div class="login"><div class="panel"><ErrorState error={meErr} onRetry={check} /></div></div>;
  if (me === undefined) return <Loading />;
  if (me === null) {
    return (
      <>
        <Login onLogin={(m) => { setMe(m); navigate(m.kind === 'key' ? 'me' : 'dashboard'); }} />
        <Toasts />
      </>
    );
  }
  return <Shell me={me} onLogout={() => setMe(null)} />;
}

function Shell({ me, onLogout }) {
  const route = useRoute();
  const [menu, setMenu] = useState(false);
  const isAdmin = me.kind === 'admin';
  const nav = isAdmin ? adminNav() : keyNav();
  const home = isAdmin ? 'dashboard' : 'me';
  const section = route.parts[0] || home;

  useEffect(() => setMenu(false), [route.path]);
  useEffect(() => {
    // Key logins only have their own pages; anything else goes to their usage.
    if (!nav.some(([p]) => p === section)) navigate(home);
  }, [section, isAdmin]);
  useEffect(() => {
    const label = (nav.find(([p]) => p === section) || [])[1];
    document.title = label ? `${label} · cchub` : 'cchub';
  });

  const logout = async () => {
    try { await api('auth/logout', { method: 'POST', body: {} }); } catch { /* the session is gone either way */ }
    onLogout();
    history.replaceState(null, '', '#/');
  };

  return (
    <div class="shell">
      <div class="topbar">
        <div class="brand"><span class="brand-dot" />cchub</div>
        <button aria-label={t('Menu')} aria-expanded={menu} data-testid="menu" onClick={() => setMenu(!menu)}>☰</button>
      </div>
      <aside class={'side' + (menu ? ' open' : '')}>
        <div class="brand"><span class="brand-dot" />cchub</div>
        <nav class="nav" data-testid="nav">
          {nav.map(([p, label]) => (
            <a key={p} href={'#/' + p} class={section === p ? 'active' : ''} aria-current={section === p ? 'page' : undefined} data-nav={p}>{label}</a>
          ))}
        </nav>
        <div class="side-foot">
          <div class="who" data-testid="who">
            {isAdmin ? t('Signed in as admin') : t('Signed in with key {name}', { name: me.key ? me.key.name : '' })}
          </div>
          <LangSwitch />
          <ThemeSwitch />
          <button onClick={logout} data-testid="logout">{t('Log out')}</button>
        </div>
      </aside>
      <main class="main" data-page={section}>
        <Page section={section} route={route} me={me} />
      </main>
      <Toasts />
    </div>
  );
}

function Page({ section, route, me }) {
  if (me.kind !== 'admin') {
    if (section === 'connect') return <Connect me={me} />;
    return <MyUsage me={me} route={route} />;
  }
  switch (section) {
    case 'providers': return <Providers route={route} />;
    case 'users': return route.parts[1] ? <UserDetail id={route.parts[1]} route={route} /> : <Users route={route} />;
    case 'logs': return <Logs route={route} />;
    case 'leaderboard': return <Leaderboard route={route} />;
    case 'quotas': return <Quotas route={route} />;
    case 'sessions': return <Sessions />;
    case 'prices': return <Prices route={route} />;
    case 'settings': return <Settings />;
    case 'connect': return <Connect me={me} />;
    default: return <Dashboard />;
  }
}
