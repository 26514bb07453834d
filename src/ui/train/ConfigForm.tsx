import { useEffect, useMemo, useState } from 'react';
import { encodeUrlState } from '../../io/url-state';
import { draftIssues, getConfigField, groupByField } from '../../state/config-edit';
import { trainActions, useTrain } from '../../state/train-store';
import type { TrainConfig } from '../../trm/config';
import { PRESET_NAMES, PRESETS, type PresetName } from '../../trm/presets';
import { fieldText, parseField, visibleFields, type FieldSpec } from './config-fields';
import { ErrorNote } from './ErrorNote';

function sameValue(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.join('\u0000') === b.join('\u0000') : Object.is(a, b);
}

/** One knob. Text inputs keep what is typed ("0.", "1e-") while the config holds the parsed value. */
function Field({ f, cfg, base, messages, onChange }: { f: FieldSpec; cfg: TrainConfig; base: TrainConfig; messages?: string[]; onChange: (path: string, text: string) => void }) {
  const value = getConfigField(cfg, f.path);
  const [text, setText] = useState(() => fieldText(cfg, f));
  useEffect(() => {
    if (!sameValue(parseField(f, text), value)) setText(fieldText(cfg, f));
    // Only an outside change (preset, import, URL) rewrites what is typed.
  }, [value]);
  const id = `td-f-${f.path}`;
  const msgId = messages ? `${id}-msg` : undefined;
  const changed = !sameValue(getConfigField(base, f.path), value);
  const common = { id, 'aria-invalid': !!messages, 'aria-describedby': msgId, title: f.help, 'data-testid': `cfg-${f.path}` };
  let input;
  if (f.kind === 'select')
    input = (
      <select {...common} value={String(value)} onChange={(e) => onChange(f.path, e.target.value)}>
        {f.options!.map((o) => (
          <option key={o} value={String(o)}>{String(o)}</option>
        ))}
      </select>
    );
  else if (f.kind === 'bool') input = <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(f.path, String(e.target.checked))} />;
  else
    input = (
      <input
        {...common}
        type="text"
        inputMode={f.kind === 'list' ? 'text' : 'decimal'}
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          onChange(f.path, e.target.value);
        }}
      />
    );
  return (
    <div className={`td-field${changed ? ' changed' : ''}`}>
      <label htmlFor={id} title={f.help}>{f.label}</label>
      {input}
      {messages && (
        <div id={msgId} className="td-msg" role="status" data-testid={`cfg-msg-${f.path}`}>
          {messages.map((m) => (
            <div key={m}>{m}</div>
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * The draft config: preset picker, every TRM knob grouped by what it controls, fields changed from the preset
 * marked, validation messages under the field they concern, and a copy-link button for the URL that reproduces it.
 */
export function ConfigForm() {
  const draft = useTrain((s) => s.draft);
  const puzzle = useTrain((s) => s.puzzle);
  const { setPreset, setField } = trainActions();
  const [copied, setCopied] = useState(false);
  const limits = useTrain((s) => s.engine.limits);
  const issues = useMemo(() => groupByField(draftIssues(draft.config, limits)), [draft.config, limits]);
  const sections = useMemo(() => visibleFields(draft.config), [draft.config]);
  const base = PRESETS[draft.preset];
  const unplaced = [...issues.keys()].filter((k) => !sections.some((s) => s.fields.some((f) => f.path === k)));
  const onChange = (path: string, text: string) => {
    const f = sections.flatMap((s) => s.fields).find((x) => x.path === path)!;
    setField(path, parseField(f, text));
  };
  const copyLink = async () => {
    const href = `${location.href.split('#')[0]}#${encodeUrlState({ preset: draft.preset, config: draft.config, puzzle })}`;
    try {
      await navigator.clipboard.writeText(href);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      prompt('Copy this link', href);
    }
  };
  return (
    <form className="td-panel td-config" aria-label="Training configuration" onSubmit={(e) => e.preventDefault()} data-testid="train-config">
      <h3>Config</h3>
      <div className="td-preset">
        <label htmlFor="td-preset">Preset</label>
        <select id="td-preset" data-testid="train-preset" value={draft.preset} onChange={(e) => setPreset(e.target.value as PresetName)}>
          {PRESET_NAMES.map((n) => (
            <option key={n} value={n}>{n}</option>
          ))}
        </select>
        <button type="button" onClick={() => setPreset(draft.preset)} title="Discard changes: back to the preset's values">Revert</button>
        <button type="button" onClick={() => void copyLink()} title="Copy a link that reproduces this config and the shown puzzle">
          {copied ? 'Copied' : 'Copy link'}
        </button>
      </div>
      <ErrorNote slot="url" />
      <ErrorNote slot="config" />
      {unplaced.map((k) => (
        <div key={k} className="td-error">{k}: {issues.get(k)!.join('; ')}</div>
      ))}
      {sections.map(({ section, fields }) => (
        <fieldset key={section.title} className="td-section">
          <legend>{section.title}</legend>
          {fields.map((f) => (
            <Field key={`${f.path}:${f.kind}`} f={f} cfg={draft.config} base={base} messages={issues.get(f.path)} onChange={onChange} />
          ))}
        </fieldset>
      ))}
    </form>
  );
}
