// A small form engine for the provider, user and key forms: fields are described once (name, type,
// section) and converted between API objects, input strings and PATCH bodies. Edits send only the
// fields that changed; empty optional limits are sent as null (which clears them).
import { useState } from 'preact/hooks';
import { t } from './prefs.js';
import { isoToLocal, localToISO } from './format.js';

const MONEY = /^\d+(\.\d{1,9})?$/;

function toInput(f, v) {
  if (f.type === 'bool') return !!v;
  if (v === null || v === undefined) return '';
  switch (f.type) {
    case 'list': return (v || []).join('\n');
    case 'map': return Object.entries(v || {}).map(([a, b]) => `${a} = ${b}`).join('\n');
    case 'datetime': return isoToLocal(v);
    default: return String(v);
  }
}

// parse converts one input value to its API value; {skip:true} leaves the field out of the body
// and {error} reports a client-side problem.
function parse(f, s, creating) {
  if (f.type === 'bool') return { v: !!s };
  const str = typeof s === 'string' ? s.trim() : s;
  switch (f.type) {
    case 'password':
      return str === '' ? { skip: true } : { v: f.raw ? s : str };
    case 'int': {
      if (str === '') return f.nullable && !creating ? { v: null } : { skip: true };
      if (!/^-?\d+$/.test(str)) return { error: t('must be a whole number') };
      return { v: parseInt(str, 10) };
    }
    case 'float': {
      if (str === '') return { skip: true };
      const n = Number(str);
      if (!Number.isFinite(n)) return { error: t('must be a number') };
      return { v: n };
    }
    case 'money':
      if (str === '') return creating ? { skip: true } : { v: null };
      if (!MONEY.test(str)) return { error: t('must be an amount in USD such as 12.50') };
      return { v: str };
    case 'list': {
      const xs = str.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);
      if (!xs.length) return creating ? { skip: true } : { v: null };
      return { v: xs };
    }
    case 'map': {
      const out = {};
      for (const line of str.split('\n')) {
        if (!line.trim()) continue;
        const m = line.split(/\s*(?:=>|->|→|=|:)\s*/);
        if (m.length !== 2 || !m[0].trim() || !m[1].trim()) return { error: t('one "from = to" pair per line') };
        out[m[0].trim()] = m[1].trim();
      }
      if (!Object.keys(out).length) return creating ? { skip: true } : { v: null };
      return { v: out };
    }
    case 'datetime': {
      if (str === '') return creating ? { skip: true } : { v: null };
      const iso = localToISO(str);
      return iso ? { v: iso } : { error: t('not a valid date') };
    }
    default:
      if (str === '' && f.optional) return creating ? { skip: true } : { v: '' };
      return { v: str };
  }
}

export function initialValues(fields, obj) {
  const out = {};
  for (const f of fields) {
    const v = obj ? obj[f.name] : f.default;
    out[f.name] = toInput(f, v === undefined ? f.default : v);
  }
  return out;
}

// buildBody returns {body, errors}. With original set (an edit), unchanged fields are left out.
export function buildBody(fields, values, original) {
  const creating = !original;
  const base = original ? initialValues(fields, original) : null;
  const body = {};
  const errors = {};
  for (const f of fields) {
    if (f.readonly) continue;
    const s = values[f.name];
    if (base && JSON.stringify(base[f.name]) === JSON.stringify(s)) continue;
    if (f.required && (s === '' || s === undefined) && !(f.type === 'password' && !creating)) {
      errors[f.name] = t('required');
      continue;
    }
    const r = parse(f, s, creating);
    if (r.error) errors[f.name] = r.error;
    else if (!r.skip) body[f.name] = r.v;
  }
  return { body, errors };
}

function Input({ f, value, onInput, invalid, editing }) {
  const id = 'f-' + f.name;
  const common = { id, name: f.name, class: invalid ? 'invalid' : '', 'aria-invalid': invalid ? 'true' : undefined };
  const set = (e) => onInput(f.name, e.currentTarget.value);
  switch (f.type) {
    case 'bool':
      return <input {...common} type="checkbox" checked={!!value} onChange={(e) => onInput(f.name, e.currentTarget.checked)} />;
    case 'select':
      return (
        <select {...common} value={value} onChange={set}>
          {f.options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
      );
    case 'list':
    case 'map':
    case 'textarea':
      return <textarea {...common} value={value} onInput={set} placeholder={f.placeholder} rows={3} />;
    case 'datetime':
      return <input {...common} type="datetime-local" value={value} onInput={set} />;
    case 'time':
      return <input {...common} type="time" value={value} onInput={set} />;
    case 'password':
      return <input {...common} type="password" autocomplete="off" value={value} onInput={set}
        placeholder={editing && f.editPlaceholder ? f.editPlaceholder : f.placeholder} />;
    case 'int':
    case 'float':
    case 'money':
      return <input {...common} type="text" inputMode="decimal" value={value} onInput={set} placeholder={f.placeholder} />;
    default:
      return <input {...common} type="text" value={value} onInput={set} placeholder={f.placeholder} />;
  }
}

export function Field({ f, value, onInput, error, editing }) {
  if (f.type === 'bool') {
    return (
      <div class={'field' + (f.wide ? ' wide' : '')}>
        <label class="check">
          <Input f={f} value={value} onInput={onInput} />
          <span>{f.label}</span>
        </label>
        {f.hint && <span class="hint">{f.hint}</span>}
        {error && <span class="ferr">{error}</span>}
      </div>
    );
  }
  return (
    <div class={'field' + (f.wide ? ' wide' : '')}>
      <label for={'f-' + f.name}><span class="small muted">{f.label}{f.required ? ' *' : ''}</span></label>
      <Input f={f} value={value} onInput={onInput} invalid={!!error} editing={editing} />
      {f.hint && <span class="hint">{f.hint}</span>}
      {error && <span class="ferr" data-testid={'err-' + f.name}>{error}</span>}
    </div>
  );
}

// EntityForm renders sections of fields and submits a create or a partial update.
// sections: [{title, fields}] ; onSubmit(body) returns a promise; an ApiError with .field marks
// that field.
export function EntityForm({ sections, original, onSubmit, onCancel, submitLabel, testid, hideCancel }) {
  const fields = sections.flatMap((s) => s.fields);
  const [values, setValues] = useState(() => initialValues(fields, original));
  const [errors, setErrors] = useState({});
  const [formErr, setFormErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const onInput = (name, v) => {
    setValues((vs) => ({ ...vs, [name]: v }));
    if (errors[name]) setErrors((es) => ({ ...es, [name]: undefined }));
  };
  const submit = async (e) => {
    e.preventDefault();
    const { body, errors: errs } = buildBody(fields, values, original);
    setFormErr(null);
    if (Object.keys(errs).length) {
      setErrors(errs);
      focusField(Object.keys(errs)[0]);
      return;
    }
    if (original && !Object.keys(body).length) {
      onCancel();
      return;
    }
    setBusy(true);
    try {
      await onSubmit(body);
    } catch (err) {
      if (err.field && fields.some((f) => f.name === err.field)) {
        setErrors({ [err.field]: err.message });
        focusField(err.field);
      } else {
        setFormErr(err);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} data-testid={testid} novalidate>
      {formErr && <div class="alert" role="alert">{formErr.message}</div>}
      {sections.map((s) => (
        <fieldset key={s.title}>
          <legend>{s.title}</legend>
          <div class="form-grid">
            {s.fields.map((f) => (
              <Field key={f.name} f={f} value={values[f.name]} onInput={onInput} error={errors[f.name]} editing={!!original} />
            ))}
          </div>
        </fieldset>
      ))}
      <div class="row end">
        {!hideCancel && <button type="button" onClick={onCancel}>{t('Cancel')}</button>}
        <button type="submit" class="primary" disabled={busy} data-testid="submit">{busy ? t('Saving…') : submitLabel || t('Save')}</button>
      </div>
    </form>
  );
}

function focusField(name) {
  setTimeout(() => {
    const el = document.getElementById('f-' + name);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.focus();
    }
  }, 0);
}

// Shared limit fields (users, keys and providers carry the same spend-limit columns; users call
// the daily one daily_limit_usd).
export function limitFields(dailyName) {
  return [
    { name: 'limit_5h_usd', label: t('5-hour limit (USD)'), type: 'money', placeholder: t('no limit') },
    { name: 'limit_5h_reset_mode', label: t('5-hour window'), type: 'select', default: 'rolling', options: [['rolling', t('rolling')], ['fixed', t('fixed from first use')]] },
    { name: dailyName, label: t('Daily limit (USD)'), type: 'money', placeholder: t('no limit') },
    { name: 'daily_reset_mode', label: t('Daily window'), type: 'select', default: 'fixed', options: [['fixed', t('fixed reset time')], ['rolling', t('rolling 24 h')]] },
    { name: 'daily_reset_time', label: t('Daily reset time'), type: 'time', default: '00:00' },
    { name: 'limit_weekly_usd', label: t('Weekly limit (USD)'), type: 'money', placeholder: t('no limit') },
    { name: 'limit_monthly_usd', label: t('Monthly limit (USD)'), type: 'money', placeholder: t('no limit') },
    { name: 'limit_total_usd', label: t('Total limit (USD)'), type: 'money', placeholder: t('no limit') },
    { name: 'limit_concurrent_sessions', label: t('Concurrent sessions'), type: 'int', default: 0, hint: t('0 = unlimited') },
  ];
}
