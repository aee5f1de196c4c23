import { lang, t } from './prefs.js';

const nfCache = {};
function nf(opts) {
  const k = lang + JSON.stringify(opts || {});
  return nfCache[k] || (nfCache[k] = new Intl.NumberFormat(lang, opts));
}

export function num(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return Number.isFinite(n) ? nf().format(n) : String(v);
}

// compact: 12.3k, 4.5M
export function compact(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return Number.isFinite(n) ? nf({ notation: 'compact', maximumFractionDigits: 1 }).format(n) : String(v);
}

// usd shows a decimal-string amount (the API never sends money as floats) with up to 6 decimals
// for small values and 2 for large ones. The string is only parsed for display.
export function usd(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  const digits = n === 0 ? 2 : Math.abs(n) < 0.01 ? 6 : Math.abs(n) < 1 ? 4 : 2;
  return '$' + n.toFixed(digits);
}

export function pct(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  const p = n * 100; // the API sends rates as ratios (0..1)
  return p.toFixed(p >= 10 || p === 0 ? 1 : 2) + '%';
}

export function ms(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (n < 1000) return Math.round(n) + ' ms';
  if (n < 60000) return (n / 1000).toFixed(n < 10000 ? 2 : 1) + ' s';
  return (n / 60000).toFixed(1) + ' min';
}

export function dateTime(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (isNaN(d)) return String(s);
  return d.toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function shortTime(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (isNaN(d)) return String(s);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return d.toLocaleString(lang, sameDay
    ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
    : { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
}

// countdown renders the time until `s` as "3h 12m" / "42s"; past times as "now".
export function countdown(s, now = Date.now()) {
  if (!s) return '—';
  const d = new Date(s).getTime();
  if (isNaN(d)) return String(s);
  let sec = Math.max(0, Math.round((d - now) / 1000));
  if (sec === 0) return t('now');
  const days = Math.floor(sec / 86400); sec -= days * 86400;
  const h = Math.floor(sec / 3600); sec -= h * 3600;
  const m = Math.floor(sec / 60); sec -= m * 60;
  if (days) return `${days}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

export function relTime(s) {
  if (!s) return '—';
  const d = new Date(s).getTime();
  if (isNaN(d)) return String(s);
  const sec = Math.round((Date.now() - d) / 1000);
  if (sec < 60) return t('{n}s ago', { n: Math.max(0, sec) });
  if (sec < 3600) return t('{n}m ago', { n: Math.floor(sec / 60) });
  if (sec < 86400) return t('{n}h ago', { n: Math.floor(sec / 3600) });
  return dateTime(s);
}

// ISO string from a datetime-local input value ("2026-01-02T15:04"), in the browser's zone.
export function localToISO(v) {
  if (!v) return '';
  const d = new Date(v);
  return isNaN(d) ? '' : d.toISOString();
}

// datetime-local input value from an ISO string.
export function isoToLocal(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// statusClass maps an HTTP status to a badge class.
export function statusClass(code) {
  if (!code) return 'warn';
  if (code < 300) return 'ok';
  if (code < 500 && code !== 429) return 'warn';
  return 'err';
}
