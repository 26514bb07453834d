import type { TrainConfig } from '../trm/config';

export interface ParsedArgs {
  flags: Map<string, string>;
  /** `--model.hidden 32` style overrides of config fields. */
  overrides: [string, string][];
}

/** Config fields outside the model/optim/data sections that may be set as plain flags. */
const TOP_LEVEL = ['evalEvery', 'evalSamples'];

/** `--name value` and `--name=value`; a flag without value reads "true". Dotted names are config overrides. */
export function parseArgs(argv: readonly string[], known: readonly string[]): ParsedArgs {
  const flags = new Map<string, string>();
  const overrides: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}" (flags look like --name value)`);
    let [name, value] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (value === undefined) value = i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    if (name.includes('.') || TOP_LEVEL.includes(name)) overrides.push([name, value]);
    else if (known.includes(name)) flags.set(name, value);
    else throw new Error(`unknown flag --${name}; known: ${known.map((k) => `--${k}`).join(' ')}, or a config field such as --model.hidden 32`);
  }
  return { flags, overrides };
}

/** Apply `model.hidden=32`-style overrides, keeping each field's type (numbers, booleans, strings, lists). */
export function applyOverrides(cfg: TrainConfig, overrides: readonly [string, string][]): TrainConfig {
  const out = structuredClone(cfg) as unknown as Record<string, unknown>;
  for (const [path, raw] of overrides) {
    const keys = path.split('.');
    let obj = out;
    for (const k of keys.slice(0, -1)) {
      const next = obj[k];
      if (typeof next !== 'object' || next === null) throw new Error(`--${path}: "${k}" is not a config section`);
      obj = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (!(last in obj)) throw new Error(`--${path}: no such config field (have: ${Object.keys(obj).join(', ')})`);
    const cur = obj[last];
    if (typeof cur === 'number') {
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new Error(`--${path}: "${raw}" is not a number`);
      obj[last] = v;
    } else if (typeof cur === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new Error(`--${path}: "${raw}" is not true or false`);
      obj[last] = raw === 'true';
    } else if (Array.isArray(cur)) obj[last] = raw ? raw.split(',') : [];
    else obj[last] = raw;
  }
  return out as unknown as TrainConfig;
}

export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
