import type { DataConfig, TrainConfig } from '../trm/config';
import { isOwnKey, keyName } from '../trm/config-parse';
import { dataDefaults } from '../state/config-edit';
import { InputError, quote } from '../io/user-error';

export interface ParsedArgs {
  flags: Map<string, string>;
  /** `--model.hidden 32` style overrides of config fields, in the order given. */
  overrides: [string, string][];
}

/** Config fields outside the model/optim/data sections that may be set as plain flags. */
const TOP_LEVEL = ['evalEvery', 'evalSamples'];

/**
 * `--name value` and `--name=value`. Every flag takes a value: one that is missing (the flag is last, or the next
 * word is another flag) or empty is an error naming the flag, never read as "true" or as the next flag. A value
 * that starts with "--" can be given as `--name=--value`. Dotted names are config overrides.
 */
export function parseArgs(argv: readonly string[], known: readonly string[]): ParsedArgs {
  const flags = new Map<string, string>();
  const overrides: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a.length === 2) throw new InputError(`unexpected argument ${quote(a)} (flags look like --name value)`);
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const flag = `--${keyName(name)}`;
    const isOverride = name.includes('.') || TOP_LEVEL.includes(name);
    if (!isOverride && !known.includes(name)) {
      throw new InputError(`unknown flag ${flag}; known: ${known.map((k) => `--${k}`).join(' ')}, or a config field such as --model.hidden 32`);
    }
    let value: string;
    if (eq >= 0) value = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    else throw new InputError(`${flag} needs a value${i + 1 < argv.length ? ` (got the flag ${quote(argv[i + 1])} instead)` : ''}`);
    if (value === '') throw new InputError(`${flag} needs a value, got an empty one`);
    if (seen.has(name)) throw new InputError(`${flag} is given twice; give it once`);
    seen.add(name);
    if (isOverride) overrides.push([name, value]);
    else flags.set(name, value);
  }
  return { flags, overrides };
}

// A plain decimal number: no hex, no "Infinity", no surrounding space (Number() takes all of those, and "" as 0).
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** `text` as a finite decimal number, or an InputError naming `what` and the range `allowed`. */
export function parseNumber(text: string, what: string, allowed: string): number {
  const v = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v)) throw new InputError(`${what}: ${quote(text)} is not a number (allowed: ${allowed})`);
  return v;
}

export interface IntRange {
  min: number;
  max?: number;
}

function rangeText({ min, max = Number.MAX_SAFE_INTEGER }: IntRange): string {
  return max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
}

/** `text` as an integer in [min, max], or an InputError naming `what` and the range. */
export function parseInteger(text: string, what: string, range: IntRange): number {
  const allowed = rangeText(range);
  const v = parseNumber(text, what, allowed);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(v) || v < range.min || v > max) throw new InputError(`${what}: ${quote(text)} is not ${allowed}`);
  return v;
}

/** The integer value of `--name`, or undefined when it was not given. */
export function intFlag(flags: ReadonlyMap<string, string>, name: string, range: IntRange): number | undefined {
  const text = flags.get(name);
  return text === undefined ? undefined : parseInteger(text, `--${name}`, range);
}

/** The value of `--name`, which must be one of `choices`; `fallback` when it was not given. */
export function choiceFlag<T extends string>(flags: ReadonlyMap<string, string>, name: string, choices: readonly T[], fallback: T): T {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new InputError(`--${name}: ${quote(text)} is not one of ${choices.join(', ')}`);
  return text as T;
}

/**
 * Apply `model.hidden=32`-style overrides, keeping each field's type: numbers parse strictly, booleans are true or
 * false, lists are comma-separated; only fields the config already has (own properties, never prototype names)
 * can be set. `data.kind` is applied first and brings that kind's default fields. Ranges, enum values and list
 * entries are left to parseTrainConfig, which the caller runs on the result.
 */
export function applyOverrides(cfg: TrainConfig, overrides: readonly [string, string][]): TrainConfig {
  let out = structuredClone(cfg);
  const kind = overrides.find(([p]) => p === 'data.kind');
  if (kind && kind[1] !== out.data.kind) {
    const data = dataDefaults(kind[1]);
    if (!data) throw new InputError(`--data.kind: ${quote(kind[1])} is not one of sudoku, maze, arc-procedural, arc`);
    out = { ...out, data: data as DataConfig };
  }
  const root = out as unknown as Record<string, unknown>;
  for (const [path, raw] of overrides) {
    if (path === 'data.kind') continue;
    const flag = `--${keyName(path)}`;
    const keys = path.split('.');
    let obj = root;
    for (const k of keys.slice(0, -1)) {
      const next = isOwnKey(obj, k) ? obj[k] : undefined;
      if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new InputError(`${flag}: ${quote(k)} is not a config section (sections: model, optim, data)`);
      obj = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (!isOwnKey(obj, last)) throw new InputError(`${flag}: no such config field (${keys.length > 1 ? `${keys.slice(0, -1).join('.')} has` : 'have'}: ${Object.keys(obj).join(', ')})`);
    const cur = obj[last];
    if (typeof cur === 'number') obj[last] = parseNumber(raw, flag, 'a decimal number such as 32 or 0.001');
    else if (typeof cur === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new InputError(`${flag}: ${quote(raw)} is not true or false`);
      obj[last] = raw === 'true';
    } else if (Array.isArray(cur)) obj[last] = raw.split(',').map((s) => s.trim()).filter(Boolean);
    else if (typeof cur === 'string') obj[last] = raw;
    else throw new InputError(`${flag}: is a config section, not a field; set its fields, e.g. --${keys[0]}.${Object.keys(cur as object)[0]}`);
  }
  return out;
}

export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
