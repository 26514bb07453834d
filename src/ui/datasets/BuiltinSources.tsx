import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorLine } from './bits';
import { FAMILY_NAMES, mazeSet, proceduralSet, readNumber, sudokuSet } from './loaders';
import { generateBuiltin, useDatasets } from './store';

type Tab = 'procedural' | 'sudoku' | 'maze';
const ORIGIN: Record<Tab, string> = { procedural: 'builtin:procedural', sudoku: 'builtin:sudoku', maze: 'builtin:maze' };

interface FieldSpec {
  key: string;
  label: string;
  lo: number;
  hi: number;
  integer?: boolean;
  step?: number;
}

const FIELDS: Record<Tab, FieldSpec[]> = {
  procedural: [
    { key: 'count', label: 'Tasks', lo: 1, hi: 2000 },
    { key: 'difficulty', label: 'Difficulty', lo: 0, hi: 1, integer: false, step: 0.05 },
    { key: 'maxSide', label: 'Max side', lo: 3, hi: 30 },
    { key: 'seed', label: 'Seed', lo: 0, hi: 2 ** 31 - 1 },
  ],
  sudoku: [
    { key: 'size', label: 'Size (4, 6, 9)', lo: 4, hi: 9 },
    { key: 'count', label: 'Puzzles', lo: 1, hi: 500 },
    { key: 'difficulty', label: 'Blanked', lo: 0.05, hi: 1, integer: false, step: 0.05 },
    { key: 'seed', label: 'Seed', lo: 0, hi: 2 ** 31 - 1 },
  ],
  maze: [
    { key: 'size', label: 'Side', lo: 4, hi: 30 },
    { key: 'count', label: 'Mazes', lo: 1, hi: 500 },
    { key: 'minPathLength', label: 'Min path', lo: 1, hi: 200 },
    { key: 'seed', label: 'Seed', lo: 0, hi: 2 ** 31 - 1 },
  ],
};

const DEFAULTS: Record<Tab, Record<string, string>> = {
  procedural: { count: '48', difficulty: '0.3', maxSide: '10', seed: '1' },
  sudoku: { size: '4', count: '48', difficulty: '0.5', seed: '1' },
  maze: { size: '9', count: '48', minPathLength: '8', seed: '1' },
};

/** Offline sources: procedural ARC-like tasks (the rule families), sudokus and mazes, made in the page. */
export function BuiltinSources() {
  const [tab, setTab] = useState<Tab>('procedural');
  const [values, setValues] = useState(DEFAULTS);
  const [family, setFamily] = useState('');
  const [issue, setIssue] = useState<string | null>(null);
  const busy = useDatasets((s) => s.loading[ORIGIN[tab]]);
  const error = useDatasets((s) => s.errors.find((e) => e.origin === ORIGIN[tab]));

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    const v: Record<string, number> = {};
    for (const f of FIELDS[tab]) {
      const r = readNumber(f.label, values[tab][f.key], f.lo, f.hi, f.integer ?? true);
      if (typeof r === 'string') return setIssue(r);
      v[f.key] = r;
    }
    if (tab === 'sudoku' && ![4, 6, 9].includes(v.size)) return setIssue(`Size: ${v.size} is not 4, 6 or 9`);
    setIssue(null);
    const make =
      tab === 'procedural'
        ? () => proceduralSet({ count: v.count, difficulty: v.difficulty, maxSide: v.maxSide, seed: v.seed, families: family ? [family] : undefined })
        : tab === 'sudoku'
          ? () => sudokuSet({ size: v.size as 4 | 6 | 9, count: v.count, difficulty: v.difficulty, seed: v.seed })
          : () => mazeSet({ size: v.size, count: v.count, minPathLength: v.minPathLength, seed: v.seed });
    void generateBuiltin(ORIGIN[tab], make);
  };

  const field = (f: FieldSpec): ReactNode => (
    <label key={f.key} className="ds-field">
      <span>{f.label}</span>
      <input
        type="number"
        min={f.lo}
        max={f.hi}
        step={f.step ?? 1}
        value={values[tab][f.key]}
        onChange={(e) => setValues({ ...values, [tab]: { ...values[tab], [f.key]: e.target.value } })}
      />
    </label>
  );

  return (
    <section className="ds-section" aria-labelledby="ds-builtin-h">
      <header className="ds-section-head">
        <h3 id="ds-builtin-h">Built-in (offline)</h3>
      </header>
      <div className="ds-tabs" role="tablist" aria-label="Generator">
        {(['procedural', 'sudoku', 'maze'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'ds-tab ds-tab-on' : 'ds-tab'} onClick={() => {
              setTab(t);
              setIssue(null);
            }}>
            {t === 'procedural' ? 'ARC families' : t === 'sudoku' ? 'Sudoku' : 'Maze'}
          </button>
        ))}
      </div>
      <form className="ds-form" onSubmit={submit} aria-label={`Generate ${tab}`}>
        {FIELDS[tab].map(field)}
        {tab === 'procedural' && (
          <label className="ds-field ds-field-wide">
            <span>Family</span>
            <select value={family} onChange={(e) => setFamily(e.target.value)}>
              <option value="">all that fit</option>
              {FAMILY_NAMES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" disabled={!!busy} className="ds-primary-small">
          {busy ? 'Generating…' : 'Generate'}
        </button>
      </form>
      {issue && (
        <div className="ds-error" role="alert">
          <span className="ds-error-text">{issue}</span>
        </div>
      )}
      {error && <ErrorLine error={error} />}
    </section>
  );
}
