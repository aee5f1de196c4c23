import { useState } from 'preact/hooks';
import { t } from '../prefs.js';
import { api } from '../api.js';
import { LangSwitch, ThemeSwitch } from '../switches.jsx';

// Login with the admin token or a user API key (sk-…) that may log in to the web UI.
export function Login({ onLogin }) {
  const [token, setToken] = useState('');
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (!token.trim()) {
      setErr(t('Enter the admin token or your API key.'));
      return;
    }
    setBusy(true);
    setErr(null);
    try {
      const me = await api('auth/login', { method: 'POST', body: { token: token.trim() } });
      setToken('');
      onLogin(me);
    } catch (e2) {
      setErr(e2.status === 401 ? t('Invalid token or key.') : e2.status === 403 ? t('This key may not log in to the web UI.') : e2.status === 429 ? t('Too many failed logins; try again later.') : e2.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login" data-page="login">
      <div class="panel">
        <div class="login-tools"><LangSwitch /><ThemeSwitch /></div>
        <h1><span class="brand-dot" /> cchub</h1>
        <div class="muted">{t('AI API hub — sign in')}</div>
        <form onSubmit={submit} data-testid="login-form">
          {err && <div class="alert" role="alert" data-testid="login-error">{err}</div>}
          <label class="field">
            <span>{t('Admin token or API key')}</span>
            <input type="password" name="token" autocomplete="current-password" autofocus value={token}
              onInput={(e) => setToken(e.currentTarget.value)} data-testid="token" />
          </label>
          <button class="primary" type="submit" disabled={busy} data-testid="login">{busy ? t('Signing in…') : t('Sign in')}</button>
          <div class="small muted">{t('Users with a key see only their own usage.')}</div>
        </form>
      </div>
    </div>
  );
}
