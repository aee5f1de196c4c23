// Thin fetch wrapper for the hub's JSON API. Paths are relative ("api/v1/…") so the UI also works
// behind a reverse proxy under a sub-path. Errors carry the HTTP status and the {"error":{message,
// field}} body; 404 and 501 on a whole route mean "this hub does not offer it yet" (notAvailable).

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field || '';
  }
  get notAvailable() {
    return this.status === 404 || this.status === 501 || this.status === 405;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function api(path, { method = 'GET', body, query, raw } = {}) {
  let url = 'api/' + path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const s = q.toString();
    if (s) url += '?' + s;
  }
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, 'network error: ' + (e && e.message ? e.message : e));
  }
  if (raw && res.ok) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    const e = new ApiError(res.status, err.message || res.statusText || 'HTTP ' + res.status, err.field);
    if (res.status === 401 && !path.startsWith('auth/')) onUnauthorized();
    throw e;
  }
  return data;
}

export const get = (path, query) => api(path, { query });
export const post = (path, body) => api(path, { method: 'POST', body: body === undefined ? {} : body });
export const patch = (path, body) => api(path, { method: 'PATCH', body });
export const del = (path) => api(path, { method: 'DELETE' });

// all follows next_cursor until the list ends (at most `max` items).
export async function all(path, query = {}, max = 2000) {
  const items = [];
  let cursor;
  for (;;) {
    const page = await get(path, { ...query, limit: 500, cursor });
    items.push(...((page && page.items) || []));
    if (!page || page.next_cursor == null || items.length >= max) return items;
    cursor = page.next_cursor;
  }
}
