/**
 * The shareable view in the URL hash: a preset, the config fields that differ from it, and the shown puzzle.
 * Human-readable and editable, as in TensorFlow Playground:
 *   #preset=sudoku-4x4&model.hidden=64&optim.lr=0.002&puzzle=<opaque>
 * Parsing never throws: unknown or malformed parts become messages and are ignored.
 */
import { dataDefaults } from '../state/config-edit';
import { configIssues, type ConfigIssue, type TrainConfig } from '../trm/config';
import { getPreset, PRESET_NAMES, PRESETS, type PresetName } from '../trm/presets';

export interface UrlState {
  preset: PresetName;
  config: TrainConfig;
  /** The viewer's puzzle reference (opaque here), or null. */
  puzzle: string | null;
}

export interface ParsedUrlState extends UrlState {
  /** The hash named a preset or a setting (a shared config), not just a puzzle or nothing. */
  configured: boolean;
  /** What in the hash could not be used (each part is ignored; the rest applies). */
  errors: string[];
  /** Validation problems of the resulting config (shown next to its fields). */
  issues: ConfigIssue[];
}

type Leaf = number | string | boolean | string[];
type Flat = Map<string, Leaf>;

const PRESET_KEY = 'preset';
const PUZZLE_KEY = 'puzzle';
export const DEFAULT_PRESET: PresetName = 'sudoku-4x4';

function isLeaf(v: unknown): v is Leaf {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

/** Dotted paths to leaves: { model: { hidden: 64 } } → "model.hidden" → 64. */
export function flatten(obj: object, prefix = '', out: Flat = new Map()): Flat {
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isLeaf(v)) out.set(path, v);
    else if (v && typeof v === 'object') flatten(v, path, out);
  }
  return out;
}

const sameLeaf = (a: Leaf | undefined, b: Leaf) => (Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b);

/** The fields of `cfg` that differ from `base` (all data fields when the data kind differs). */
export function configDiff(base: TrainConfig, cfg: TrainConfig): [string, Leaf][] {
  const b = flatten(base), c = flatten(cfg);
  const kindChanged = base.data.kind !== cfg.data.kind;
  return [...c].filter(([k, v]) => (kindChanged && k.startsWith('data.')) || !sameLeaf(b.get(k), v));
}

function encodeLeaf(v: Leaf): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

function parseLeaf(raw: string, like: Leaf): Leaf | undefined {
  if (typeof like === 'number') {
    if (raw.trim() === '') return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof like === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  if (Array.isArray(like)) return raw === '' ? [] : raw.split(',');
  return raw;
}

function setPath(obj: Record<string, unknown>, path: string, v: Leaf): void {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] as Record<string, unknown>;
  o[parts[parts.length - 1]] = Array.isArray(v) ? v.slice() : v;
}

/** The hash (without '#') for a view: its preset, the changed fields, and the puzzle. */
export function encodeUrlState(s: UrlState): string {
  const q = new URLSearchParams();
  q.set(PRESET_KEY, s.preset);
  for (const [k, v] of configDiff(PRESETS[s.preset], s.config)) q.set(k, encodeLeaf(v));
  if (s.puzzle) q.set(PUZZLE_KEY, s.puzzle);
  return q.toString();
}

/** Read a hash ('#…' or bare). Anything it cannot use is named in `errors`; an empty hash gives the default view. */
export function decodeUrlState(hash: string, fallback: PresetName = DEFAULT_PRESET): ParsedUrlState {
  const errors: string[] = [];
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(hash.replace(/^#/, ''));
  } catch {
    q = new URLSearchParams();
    errors.push('the link\'s settings could not be read; showing the default');
  }
  let preset = fallback;
  const named = q.get(PRESET_KEY);
  if (named !== null) {
    if ((PRESET_NAMES as string[]).includes(named)) preset = named as PresetName;
    else errors.push(`unknown preset "${named}" in the link; using ${fallback}`);
  }
  const config = getPreset(preset);
  // A different data kind replaces the whole data section before its fields apply.
  const kind = q.get('data.kind');
  let kindOk = true;
  if (kind !== null && kind !== config.data.kind) {
    const t = dataDefaults(kind);
    if (t) config.data = t;
    else {
      kindOk = false;
      errors.push(`unknown data kind "${kind}" in the link; keeping ${config.data.kind}`);
    }
  }
  const template = flatten(config);
  let puzzle: string | null = null;
  for (const [key, raw] of q) {
    if (key === PRESET_KEY || key === 'data.kind') continue;
    if (key === PUZZLE_KEY) {
      puzzle = raw || null;
      continue;
    }
    const like = template.get(key);
    if (like === undefined) {
      if (!(key.startsWith('data.') && !kindOk)) errors.push(`unknown setting "${key}" in the link (ignored)`);
      continue;
    }
    const v = parseLeaf(raw, like);
    if (v === undefined) errors.push(`"${key}=${raw}" in the link is not a valid ${typeof like === 'boolean' ? 'true/false' : typeof like} (ignored)`);
    else setPath(config as unknown as Record<string, unknown>, key, v);
  }
  const configured = [...q.keys()].some((k) => k !== PUZZLE_KEY);
  return { preset, config, puzzle, configured, errors, issues: configIssues(config) };
}

/** The preset a config is closest to (fewest differing fields), for short links and run names. */
export function nearestPreset(cfg: TrainConfig): { preset: PresetName; changes: number } {
  let best = { preset: PRESET_NAMES[0], changes: Infinity };
  for (const name of PRESET_NAMES) {
    const changes = configDiff(PRESETS[name], cfg).length;
    if (changes < best.changes) best = { preset: name, changes };
  }
  return best;
}

/** Write the page's hash without a history entry per edit (DOM-only; the encoders above are pure). */
export function writeHash(s: UrlState): void {
  if (typeof location === 'undefined' || typeof history === 'undefined') return;
  const hash = `#${encodeUrlState(s)}`;
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
}
