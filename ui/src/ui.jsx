// Shared components: async state handling, dialogs, toasts, copy buttons, small widgets.
import { useState, useEffect, useRef, useCallback } from 'preact/hooks';
import { t } from './prefs.js';
import { usd, countdown } from './format.js';

// useAsync runs fn() when deps change and keeps {data, error, loading}. reload() re-runs it;
// a response that arrives after a newer call started is dropped.
export function useAsync(fn, deps = []) {
  const [state, setState] = useState({ loading: true, data: undefined, error: null });
  const seq = useRef(0);
  const run = useCallback(() => {
    const my = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    Promise.resolve()
      .then(fn)
      .then(
        (data) => my === seq.current && setState({ loading: false, data, error: null }),
        (error) => my === seq.current && setState({ loading: false, data: undefined, error }),
      );
  }, deps);
  useEffect(() => {
    run();
    return () => { seq.current++; };
  }, [run]);
  return { ...state, reload: run };
}

// useNow re-renders every `ms` milliseconds and returns the current time (for countdowns).
export function useNow(ms = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function Loading({ label }) {
  return (
    <div class="state" role="status" data-state="loading">
      <span class="spinner" /> <span>{label || t('Loading…')}</span>
    </div>
  );
}

export function Empty({ title, hint, children }) {
  return (
    <div class="state" data-state="empty">
      <div class="title">{title || t('Nothing here yet')}</div>
      {hint && <div>{hint}</div>}
      {children}
    </div>
  );
}

export function NotAvailable({ what }) {
  return (
    <div class="state" data-state="not-available">
      <div class="title">{t('Not available yet')}</div>
      <div>{t('This hub does not offer {what} yet.', { what: what || t('this view') })}</div>
    </div>
  );
}

export function ErrorState({ error, onRetry }) {
  return (
    <div class="state error" role="alert" data-state="error">
      <div class="title">{t('Something went wrong')}</div>
      <div>{error && error.message ? error.message : String(error)}</div>
      {onRetry && (
        <div class="row center">
          <button onClick={onRetry}>{t('Retry')}</button>
        </div>
      )}
    </div>
  );
}

// Async renders the loading / not-available / error / empty states of a useAsync result, and
// children(data) otherwise. isEmpty decides the empty state (default: an empty items list).
export function Async({ state, what, isEmpty, empty, children }) {
  if (state.error) {
    if (state.error.notAvailable) return <NotAvailable what={what} />;
    return <ErrorState error={state.error} onRetry={state.reload} />;
  }
  if (state.data === undefined) return <Loading />;
  const emptyFn = isEmpty || ((d) => d && Array.isArray(d.items) && d.items.length === 0);
  if (emptyFn(state.data)) return empty || <Empty />;
  return children(state.data);
}

// Dialog is a native modal <dialog>: Escape and the close button call onClose.
export function Dialog({ open, onClose, title, children, footer, narrow, drawer, testid }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  if (!open) return null;
  const cls = [narrow && 'narrow', drawer && 'drawer'].filter(Boolean).join(' ');
  return (
    <dialog
      ref={ref}
      class={cls}
      data-testid={testid}
      onCancel={(e) => { e.preventDefault(); onClose && onClose(); }}
      onClick={(e) => { if (e.target === ref.current) onClose && onClose(); }}
    >
      <div class="dlg-head">
        <h2>{title}</h2>
        <button class="link" aria-label={t('Close')} onClick={onClose}>✕</button>
      </div>
      <div class="dlg-body">{children}</div>
      {footer && <div class="dlg-foot">{footer}</div>}
    </dialog>
  );
}

// Confirm asks before a destructive action.
export function Confirm({ open, title, message, confirmLabel, onConfirm, onClose }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const go = async () => {
    setBusy(true);
    setErr(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} title={title} narrow testid="confirm"
      footer={<>
        <button onClick={onClose}>{t('Cancel')}</button>
        <button class="danger solid" disabled={busy} onClick={go} data-testid="confirm-ok">{confirmLabel || t('Delete')}</button>
      </>}>
      {err && <div class="alert">{err.message}</div>}
      <p>{message}</p>
    </Dialog>
  );
}

// Clipboard: the async API needs a secure context (https or localhost); fall back to a hidden
// textarea and execCommand elsewhere.
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* fall through */ }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'hidden-copy';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  ta.remove();
  return ok;
}

export function CopyButton({ text, label, small = true }) {
  const [done, setDone] = useState(false);
  return (
    <button class={'copy' + (small ? ' small' : '')} data-testid="copy" onClick={async () => {
      const ok = await copyText(text);
      setDone(ok ? 'ok' : 'fail');
      setTimeout(() => setDone(false), 1500);
    }}>
      {done === 'ok' ? t('Copied') : done === 'fail' ? t('Copy failed') : label || t('Copy')}
    </button>
  );
}

export function Snippet({ text, testid }) {
  return (
    <div class="snippet" data-testid={testid}>
      <pre>{text}</pre>
      <CopyButton text={text} />
    </div>
  );
}

// Toasts: toast(message, kind) from anywhere; <Toasts/> renders them once in the shell.
let pushToast = () => {};
export function toast(msg, kind = 'ok') {
  pushToast(msg, kind);
}
export function Toasts() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    let id = 0;
    pushToast = (msg, kind) => {
      const my = ++id;
      setItems((xs) => [...xs, { id: my, msg, kind }]);
      setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== my)), kind === 'err' ? 7000 : 3500);
    };
    return () => { pushToast = () => {}; };
  }, []);
  return (
    <div class="toasts" aria-live="polite">
      {items.map((x) => <div key={x.id} class={'toast ' + x.kind} data-testid="toast">{x.msg}</div>)}
    </div>
  );
}

export function Switch({ checked, onChange, label, disabled, testid }) {
  return (
    <label class="switch" title={label}>
      <input type="checkbox" role="switch" aria-label={label} checked={!!checked} disabled={disabled}
        data-testid={testid} onChange={(e) => onChange(e.currentTarget.checked)} />
      <span class="knob" />
    </label>
  );
}

export function Badge({ kind, children }) {
  return <span class={'badge' + (kind ? ' ' + kind : '')}>{children}</span>;
}

// Seg is a segmented control.
export function Seg({ value, options, onChange, testid }) {
  return (
    <div class="seg" role="group" data-testid={testid}>
      {options.map(([v, label]) => (
        <button key={v} class={v === value ? 'on' : ''} aria-pressed={v === value} onClick={() => onChange(v)}>{label}</button>
      ))}
    </div>
  );
}

// Bar shows used/limit; width is set through the CSSOM (allowed by the CSP, unlike style="").
export function Bar({ ratio }) {
  const r = Math.max(0, Math.min(1, Number(ratio) || 0));
  const cls = r >= 1 ? 'err' : r >= 0.8 ? 'warn' : '';
  return <div class="bar"><i class={cls} style={{ width: (r * 100).toFixed(1) + '%' }} /></div>;
}

// QuotaLine: one window's usage against its limit, with the reset countdown.
export function QuotaLine({ label, used, limit, resetsAt, now, money = true }) {
  const u = Number(used) || 0;
  const l = limit === null || limit === undefined || limit === '' ? null : Number(limit);
  const fmt = money ? usd : (v) => (v === null || v === undefined ? '—' : String(v));
  return (
    <div class="quota">
      <div class="qline">
        <span>{label}</span>
        <span class="muted">{fmt(used)} / {l === null ? t('no limit') : fmt(limit)}</span>
      </div>
      {l !== null && <Bar ratio={l > 0 ? u / l : 1} />}
      {resetsAt && <div class="qline muted"><span>{t('resets in')}</span><span>{countdown(resetsAt, now)}</span></div>}
    </div>
  );
}

export function PageHead({ title, children }) {
  return (
    <div class="page-head">
      <h1>{title}</h1>
      {children}
    </div>
  );
}
