/**
 * The shareable view in the URL hash: a preset, the config fields that differ from it, and the shown puzzle.
 * Human-readable and editable, as in TensorFlow Playground:
 *   #preset=sudoku-4x4&model.hidden=64&optim.lr=0.002&puzzle=<opaque>
 * Parsing never throws: unknown or malformed parts become messages (bounded, each part named once) and are ignored;
 * keys are looked up in Maps and lists, so no name ("__proto__", "constructor") reaches an object's prototype.
 */
import { dataDefaults } from '../state/config-edit';
import { configIssues, DATA_KINDS, type ConfigIssue, type TrainConfig } from '../trm/config';
import { getPreset, PRESET_NAMES, PRESETS, type PresetName } from '../trm/presets';
import { bound, quote } from './user-error';

export interface UrlState {
  preset: PresetName;
  config: TrainConfig;
  /** The viewer's puzzle reference (opaque here), or null. */
  puzzle: string | null;
}

export interface ParsedUrlState extends UrlState {
  /** The hash set a preset or a setting (a shared config), not just a puzzle, nothing, or only parts it ignored. */
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

/** A decimal number as a person writes it ("12", "-0.5", "2e-3"); not "0x10", "", " 1" or "Infinity". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Longest text a string or list setting may hold in a link (names of options and families are far shorter). */
const MAX_TEXT = 200;

/** `raw` read as the type of `like`, or why it cannot be. */
function parseLeaf(raw: string, like: Leaf): { value: Leaf } | { problem: string } {
  if (typeof like === 'number') return DECIMAL.test(raw) && Number.isFinite(Number(raw)) ? { value: Number(raw) } : { problem: `${quote(raw)} is not a number` };
  if (typeof like === 'boolean') return raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { problem: `${quote(raw)} is not true or false` };
  if (raw.length > MAX_TEXT) return { problem: `${quote(raw)} is longer than the ${MAX_TEXT} characters this setting takes` };
  if (!Array.isArray(like)) return { value: raw };
  const items = raw === '' ? [] : raw.split(',').map((x) => x.trim());
  return items.some((x) => x === '') ? { problem: `${quote(raw)} has an empty item (expected names separated by commas)` } : { value: items };
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

/** Longest hash read, in characters; a longer one (no link a person shares is near it) is refused whole. */
export const MAX_HASH = 1 << 20;
/** Longest shown puzzle in a link: a 30×30 ARC canvas with its labels is about 1,800 characters. */
const MAX_PUZZLE = 8192;
/** Unknown settings named in their one message; the rest are counted. */
const NAMED_UNKNOWN = 5;

/** Each key's values in order, in a Map so that no key ("__proto__", "constructor") can reach an object's prototype. */
function group(q: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of q) {
    const vs = out.get(k);
    if (vs) vs.push(v);
    else out.set(k, [v]);
  }
  return out;
}

/** The one value of a key, or why there is none: a key given twice with different values is ambiguous. */
function single(key: string, values: string[]): { value: string } | { problem: string } {
  const distinct = [...new Set(values)];
  if (distinct.length === 1) return { value: distinct[0] };
  return { problem: `${quote(key)} is set ${values.length} times in the link (${distinct.slice(0, 3).map((v) => quote(v, 20)).join(', ')}${distinct.length > 3 ? ', …' : ''})` };
}

function unknownMessage(keys: string[]): string {
  if (keys.length === 1) return `unknown setting ${quote(keys[0])} in the link (ignored)`;
  const named = keys.slice(0, NAMED_UNKNOWN).map((k) => quote(k)).join(', ');
  return `${keys.length} unknown settings in the link: ${named}${keys.length > NAMED_UNKNOWN ? ', …' : ''} (ignored)`;
}

/**
 * Read a hash ('#…' or bare). Anything it cannot use is named once in `errors` (every message bounded, never the
 * input echoed whole) and ignored; the rest applies. An empty hash gives the default view.
 */
export function decodeUrlState(hash: string, fallback: PresetName = DEFAULT_PRESET): ParsedUrlState {
  const body = hash.replace(/^#/, '');
  const view = (preset: PresetName, config: TrainConfig, errors: string[], configured: boolean, puzzle: string | null = null): ParsedUrlState => ({
    preset, config, puzzle, configured, errors, issues: configIssues(config),
  });
  if (body.length > MAX_HASH)
    return view(fallback, getPreset(fallback), [`the link's settings are ${body.length} characters long, more than the ${MAX_HASH} a link may hold: all ignored, showing ${fallback}`], false);
  const errors: string[] = [];
  const given = group(new URLSearchParams(body));
  const one = (key: string): string | null => {
    const vs = given.get(key);
    if (!vs) return null;
    const r = single(key, vs);
    if ('problem' in r) {
      errors.push(`${r.problem}: ignored`);
      return null;
    }
    return r.value;
  };

  let preset = fallback;
  let applied = 0;
  const named = one(PRESET_KEY);
  if (named !== null) {
    if ((PRESET_NAMES as string[]).includes(named)) {
      preset = named as PresetName;
      applied++;
    } else errors.push(`unknown preset ${quote(named)} in the link; using ${fallback}`);
  }
  const config = getPreset(preset);
  // A different data kind replaces the whole data section before its fields apply.
  const kind = one('data.kind');
  let kindOk = !given.has('data.kind') || kind !== null;
  if (kind !== null && kind !== config.data.kind) {
    // Checked against the list before any lookup by name ("__proto__" is no data kind).
    const known = (DATA_KINDS as readonly string[]).includes(kind) ? dataDefaults(kind) : undefined;
    if (known) {
      config.data = known;
      applied++;
    } else {
      kindOk = false;
      errors.push(`unknown data kind ${quote(kind)} in the link; keeping ${config.data.kind}${[...given.keys()].some((k) => k.startsWith('data.') && k !== 'data.kind') ? ' and ignoring its data settings' : ''}`);
    }
  }
  const template = flatten(config);
  const unknown: string[] = [];
  let puzzle: string | null = null;
  for (const key of given.keys()) {
    if (key === PRESET_KEY || key === 'data.kind') continue;
    if (key === PUZZLE_KEY) {
      const p = one(PUZZLE_KEY);
      if (p && p.length > MAX_PUZZLE) errors.push(`the puzzle in the link is ${p.length} characters long, more than any model's grid takes (${MAX_PUZZLE}): ignored`);
      else puzzle = p || null;
      continue;
    }
    // The data fields of a refused kind were meant for that kind: moot, not applied to the kept one.
    if (key.startsWith('data.') && !kindOk) continue;
    const like = template.get(key);
    if (like === undefined) {
      unknown.push(key);
      continue;
    }
    const raw = one(key);
    if (raw === null) continue;
    const v = parseLeaf(raw, like);
    if ('problem' in v) {
      errors.push(`${key} in the link: ${v.problem} (ignored; keeping ${Array.isArray(like) ? quote(encodeLeaf(like)) : quote(like)})`);
      continue;
    }
    setPath(config as unknown as Record<string, unknown>, key, v.value);
    applied++;
  }
  if (unknown.length) errors.push(unknownMessage(unknown));
  return view(preset, config, errors, applied > 0, puzzle);
}

/** Lines of the link's banner at most; the rest are counted (each bad field is also flagged beside its input). */
const BANNER_LINES = 8;

/**
 * The banner for a link: what in it was ignored, then why the config it gives cannot be trained (`issues`, from
 * configIssues and the memory estimate), each named once; at most BANNER_LINES lines, every one bounded.
 */
export function linkBanner(errors: readonly string[], issues: readonly ConfigIssue[]): string[] {
  const lines = [...errors, ...issues.map((i) => `${i.field} from the link: ${i.message}`)].map((l) => bound(l));
  if (lines.length <= BANNER_LINES) return lines;
  return [...lines.slice(0, BANNER_LINES - 1), `… and ${lines.length - BANNER_LINES + 1} more problems with the link (each is flagged beside its field)`];
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
