// Normalises the quota views of /api/v1/quotas/{users,keys,providers} (and /api/v1/me/quotas
// when the hub offers it) into [{window, label, used, limit, resetsAt, money}]. The hub's shape:
// {id, name, reserved_usd, windows:[{window, mode, usage_usd, limit_usd, remaining_usd, start_at,
// reset_at}], concurrent_sessions:{current, limit}, rpm?:{current, limit}}; windows keyed by name
// ({windows: {"5h": {...}}}) are accepted too.
import { t } from './prefs.js';

const ORDER = ['rpm', '5h', 'daily', 'weekly', 'monthly', 'total', 'concurrent_sessions', 'concurrent'];

export function windowLabel(w) {
  switch (w) {
    case 'rpm': return t('RPM');
    case '5h': return t('5 hours');
    case 'daily': return t('Daily');
    case 'weekly': return t('Weekly');
    case 'monthly': return t('Monthly');
    case 'total': return t('Total');
    case 'concurrent':
    case 'concurrent_sessions': return t('Concurrent sessions');
    default: return w;
  }
}

function pick(o, ...names) {
  for (const n of names) if (o && o[n] !== undefined) return o[n];
  return undefined;
}

function one(w, o) {
  if (o === null || typeof o !== 'object') return null;
  const name = w || pick(o, 'window', 'name', 'period', 'type');
  const usedUSD = pick(o, 'used_usd', 'usage_usd', 'spent_usd', 'cost_usd');
  const used = usedUSD !== undefined ? usedUSD : pick(o, 'used', 'usage', 'current', 'count');
  const limitUSD = pick(o, 'limit_usd');
  const limit = limitUSD !== undefined ? limitUSD : pick(o, 'limit', 'max');
  const mode = pick(o, 'mode');
  return {
    window: name,
    label: windowLabel(name) + (mode === 'rolling' ? ' · ' + t('rolling') : ''),
    used,
    limit,
    resetsAt: pick(o, 'resets_at', 'reset_at', 'reset_time', 'next_reset_at'),
    money: usedUSD !== undefined || limitUSD !== undefined || (typeof used === 'string' && used.includes('.')),
  };
}

export function quotaWindows(item) {
  if (!item) return [];
  const src = pick(item, 'windows', 'limits', 'quotas', 'usage');
  let out = [];
  if (Array.isArray(src)) out = src.map((o) => one(null, o));
  else if (src && typeof src === 'object') out = Object.entries(src).map(([k, o]) => one(k, o));
  // Count limits beside the spend windows: {concurrent_sessions: {current, limit}, rpm: {…}}.
  for (const k of ['rpm', 'concurrent_sessions']) {
    const c = item[k];
    if (c && typeof c === 'object' && !Array.isArray(src && src[k])) {
      out.push({ window: k, label: windowLabel(k), used: c.current ?? c.used ?? 0, limit: c.limit, money: false });
    }
  }
  out = out.filter(Boolean);
  out.sort((a, b) => idx(a.window) - idx(b.window));
  return out;
}

function idx(w) {
  const i = ORDER.indexOf(w);
  return i < 0 ? ORDER.length : i;
}

export function quotaOwnerId(item, kind) {
  return pick(item, kind + '_id', 'id');
}
