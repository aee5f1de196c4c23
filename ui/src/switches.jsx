import { t, lang, theme, setLang, setTheme } from './prefs.js';

export function LangSwitch() {
  return (
    <select aria-label={t('Language')} data-testid="lang" value={lang} onChange={(e) => setLang(e.currentTarget.value)}>
      <option value="en">English</option>
      <option value="zh-CN">简体中文</option>
    </select>
  );
}

export function ThemeSwitch() {
  return (
    <select aria-label={t('Theme')} data-testid="theme" value={theme} onChange={(e) => setTheme(e.currentTarget.value)}>
      <option value="system">{t('Theme: system')}</option>
      <option value="light">{t('Theme: light')}</option>
      <option value="dark">{t('Theme: dark')}</option>
    </select>
  );
}
