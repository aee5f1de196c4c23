// User preferences kept in localStorage: language ("en" | "zh-CN") and theme ("system" | "light" |
// "dark"). The theme is applied as <html data-theme>; "system" removes the attribute so the CSS
// follows prefers-color-scheme.
import { zh } from './zh.js';

const LANG_KEY = 'cchub.lang';
const THEME_KEY = 'cchub.theme';
const listeners = new Set();

function read(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}
function write(key, v) {
  try { localStorage.setItem(key, v); } catch { /* private mode: not remembered */ }
}

function initialLang() {
  const saved = read(LANG_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export let lang = initialLang();
export let theme = read(THEME_KEY) || 'system';

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
function emit() {
  for (const fn of listeners) fn();
}

export function setLang(l) {
  lang = l;
  write(LANG_KEY, l);
  document.documentElement.lang = l;
  emit();
}

export function setTheme(th) {
  theme = th;
  write(THEME_KEY, th);
  applyTheme();
  emit();
}

export function applyTheme() {
  const el = document.documentElement;
  if (theme === 'light' || theme === 'dark') el.dataset.theme = theme;
  else delete el.dataset.theme;
  el.lang = lang;
}

// The theme actually shown (system resolved).
export function effectiveTheme() {
  if (theme === 'light' || theme === 'dark') return theme;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// t translates an English source string; {name} placeholders are filled from vars. English is the
// key, so a string missing from the Chinese table still shows (in English).
export function t(s, vars) {
  let out = lang === 'zh-CN' ? zh[s] || s : s;
  if (vars) out = out.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return out;
}

// mark flags a string for translation where it is stored in a table and passed to t() later.
export const mark = (s) => s;
