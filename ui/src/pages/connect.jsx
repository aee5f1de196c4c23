import { useState } from 'preact/hooks';
import { t } from '../prefs.js';
import { PageHead, Snippet } from '../ui.jsx';
import { hubBase, claudeShell, claudePowerShell, claudeSettings, codexToml, codexEnv, anthropicSDK, openaiSDK, curlTest } from '../snippets.js';

// Connect: the exact client configuration for this hub's address.
export function Connect({ me }) {
  const base = hubBase();
  const [os, setOs] = useState('unix');
  const keyHint = me && me.kind === 'key'
    ? t('Use your full key (it starts with {prefix}); the hub cannot show it again.', { prefix: me.key.key_prefix })
    : t('Replace sk-your-cchub-key with a key created under Users & keys.');
  return (
    <div class="stack">
      <PageHead title={t('Connect a client')} />
      <div class="panel">
        <dl class="kv">
          <dt>{t('Hub address')}</dt><dd class="mono" data-testid="hub-base">{base}</dd>
          <dt>{t('Anthropic API')}</dt><dd class="mono">{base}/v1/messages</dd>
          <dt>{t('OpenAI API')}</dt><dd class="mono">{base}/v1/responses · {base}/v1/chat/completions</dd>
        </dl>
        <p class="small muted">{keyHint}</p>
      </div>
      <div class="panel">
        <div class="row"><h2 class="grow">Claude Code</h2>
          <div class="seg">
            <button class={os === 'unix' ? 'on' : ''} onClick={() => setOs('unix')}>macOS / Linux</button>
            <button class={os === 'win' ? 'on' : ''} onClick={() => setOs('win')}>Windows</button>
          </div>
        </div>
        <Snippet testid="connect-claude" text={os === 'unix' ? claudeShell(base) : claudePowerShell(base)} />
        <p class="small muted">{t('Or put the same variables into ~/.claude/settings.json:')}</p>
        <Snippet text={claudeSettings(base)} />
        <p class="small muted">{t('ANTHROPIC_API_KEY works too (sent as x-api-key); ANTHROPIC_AUTH_TOKEN is sent as a Bearer token.')}</p>
      </div>
      <div class="panel">
        <h2>Codex CLI</h2>
        <Snippet testid="connect-codex" text={codexToml(base)} />
        <p class="small muted">{t('Then set the key and run Codex:')}</p>
        <Snippet text={os === 'unix' ? codexEnv() : `$env:CCHUB_API_KEY = "sk-your-cchub-key"\ncodex`} />
      </div>
      <div class="grid2">
        <div class="panel"><h2>Anthropic SDK</h2><Snippet text={anthropicSDK(base)} /></div>
        <div class="panel"><h2>OpenAI SDK</h2><Snippet text={openaiSDK(base)} /></div>
      </div>
      <div class="panel"><h2>{t('Test with curl')}</h2><Snippet text={curlTest(base)} /></div>
    </div>
  );
}
