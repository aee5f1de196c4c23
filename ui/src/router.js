// Hash routing: "#/logs?user_id=3" → {path: "logs", parts: ["logs"], query: URLSearchParams}.
// The hash keeps the server side to one index.html and makes every view linkable.
import { useState, useEffect } from 'preact/hooks';

export function parseHash(h = location.hash) {
  const s = h.replace(/^#\/?/, '');
  const [path, qs] = s.split('?');
  const clean = (path || '').replace(/\/+$/, '');
  return { path: clean, parts: clean ? clean.split('/') : [], query: new URLSearchParams(qs || '') };
}

export function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const on = () => setRoute(parseHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(path, query) {
  let h = '#/' + path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const s = q.toString();
    if (s) h += '?' + s;
  }
  if (location.hash !== h) location.hash = h;
}

// replaceQuery updates the query of the current route without adding a history entry.
export function replaceQuery(query) {
  const { path } = parseHash();
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  const h = '#/' + path + (s ? '?' + s : '');
  if (location.hash !== h) {
    history.replaceState(null, '', h);
    dispatchEvent(new HashChangeEvent('hashchange'));
  }
}
