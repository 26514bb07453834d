/**
 * A TrainConfig from untrusted JSON (checkpoint metadata, a saved run, a link): every section and field checked
 * for presence and type, prototype names refused, then the same range checks as a user's config (configIssues).
 */
import { quote } from '../io/user-error';
import { ARC_SOURCES, ConfigError, configIssues, DATA_KINDS, POS_ENCODINGS, type ConfigIssue, type DataConfig, type DataShape, type TrainConfig } from './config';
import { isJsonObject } from '../io/json-value';

/** What a field holds in JSON: a number, a boolean, one of some strings, or a list of strings. */
type FieldType = 'number' | 'boolean' | 'strings' | readonly string[];
type Schema = Readonly<Record<string, FieldType>>;

/** Issues reported for one config; the rest are counted in one last issue (a link may carry 100,000 keys). */
export const MAX_CONFIG_ISSUES = 20;

/** `key` is an own property of `obj` (never one inherited from Object.prototype, such as "constructor"). */
export function isOwnKey(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** A key from the input as a field name: as it is when it looks like one, else quoted short (never megabytes or control characters). */
export function keyName(key: string): string {
  return /^[\w$.-]{1,60}$/.test(key) ? key : quote(key);
}

const MODEL: Schema = {
  variant: ['attention', 'mlp'], hidden: 'number', layers: 'number', heads: 'number', expansion: 'number',
  swigluMultiple: 'number', T: 'number', n: 'number', nSup: 'number', haltExplorationProb: 'number',
  puzzleEmbLen: 'number', puzzleEmbDim: 'number', posEncoding: POS_ENCODINGS, ropeBase: 'number', rmsEps: 'number',
  actContinue: 'boolean',
};

/** Fields added after configs were first saved: absent in an older checkpoint or link, they keep the old behaviour. */
const ADDED: Readonly<Record<string, unknown>> = { 'model.actContinue': false };

const OPTIM: Schema = {
  optimizer: ['adam-atan2', 'adamw'], lr: 'number', beta1: 'number', beta2: 'number', weightDecay: 'number',
  warmupSteps: 'number', schedule: ['constant', 'cosine'], lrMinRatio: 'number', puzzleEmbLr: 'number',
  puzzleEmbWeightDecay: 'number', ema: 'number', batchSize: 'number', loss: ['stablemax', 'softmax'], haltLossWeight: 'number',
};

const DATA: Readonly<Record<DataConfig['kind'], Schema>> = {
  sudoku: { kind: DATA_KINDS, size: 'number', difficulty: 'number', trainPuzzles: 'number', testPuzzles: 'number', augment: 'boolean' },
  maze: { kind: DATA_KINDS, size: 'number', minPathLength: 'number', trainMazes: 'number', testMazes: 'number', augment: 'boolean' },
  'arc-procedural': {
    kind: DATA_KINDS, families: 'strings', tasks: 'number', difficulty: 'number', maxSide: 'number', canvas: 'number',
    augmentations: 'number', translate: 'boolean',
  },
  arc: { kind: DATA_KINDS, source: ARC_SOURCES, canvas: 'number', augmentations: 'number', translate: 'boolean' },
};

const TOP: Schema = { steps: 'number', evalEvery: 'number', evalSamples: 'number', seed: 'number' };
const SECTIONS = ['model', 'optim', 'data'] as const;


function typeName(t: FieldType): string {
  if (t === 'strings') return 'a list of strings';
  if (t === 'number' || t === 'boolean') return `a ${t}`;
  return `one of ${t.map((s) => JSON.stringify(s)).join(', ')}`;
}

function fits(t: FieldType, v: unknown): boolean {
  if (t === 'strings') return Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (t === 'number' || t === 'boolean') return typeof v === t;
  return typeof v === 'string' && t.includes(v);
}

/** Check `obj`'s own keys against `schema`, copying the good values into `out`. */
function checkObject(obj: Record<string, unknown>, schema: Schema, prefix: string, out: Record<string, unknown>, bad: (field: string, message: string) => void): void {
  for (const key of Object.keys(obj)) if (!isOwnKey(schema, key)) bad(`${prefix}${keyName(key)}`, 'unknown field');
  for (const key of Object.keys(schema)) {
    const t = schema[key];
    if (!isOwnKey(obj, key)) {
      if (isOwnKey(ADDED, `${prefix}${key}`)) out[key] = ADDED[`${prefix}${key}`];
      else bad(`${prefix}${key}`, `missing (${typeName(t)})`);
    }
    else if (!fits(t, obj[key])) bad(`${prefix}${key}`, `must be ${typeName(t)}, got ${quote(obj[key])}`);
    else out[key] = Array.isArray(obj[key]) ? (obj[key] as string[]).slice() : obj[key];
  }
}

/**
 * Throws ConfigError naming every missing, unknown and wrong-typed field by its dotted path (at most
 * MAX_CONFIG_ISSUES of them), prefixed with `where` (a file name or "the link"); then every out-of-range field
 * (configIssues, with the dataset's shape when given). Returns a fresh config holding only the known fields.
 */
export function parseTrainConfig(value: unknown, where: string, data?: DataShape): TrainConfig {
  if (!isJsonObject(value)) throw new ConfigError([{ field: 'config', message: `must be an object, got ${quote(value)}` }], where);
  const issues: ConfigIssue[] = [];
  let dropped = 0;
  const bad = (field: string, message: string) => {
    if (issues.length < MAX_CONFIG_ISSUES) issues.push({ field, message });
    else dropped++;
  };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!isOwnKey(TOP, key) && !(SECTIONS as readonly string[]).includes(key)) bad(keyName(key), 'unknown field');
  }
  for (const section of SECTIONS) {
    const v = isOwnKey(value, section) ? value[section] : undefined;
    if (!isJsonObject(v)) {
      bad(section, v === undefined ? 'missing (an object)' : `must be an object, got ${quote(v)}`);
      continue;
    }
    let schema: Schema | undefined = section === 'model' ? MODEL : section === 'optim' ? OPTIM : undefined;
    if (section === 'data') {
      const kind = isOwnKey(v, 'kind') ? v.kind : undefined;
      if (typeof kind !== 'string' || !isOwnKey(DATA, kind)) {
        bad('data.kind', `must be one of ${DATA_KINDS.join(', ')}, got ${quote(kind)}`);
        continue;
      }
      schema = DATA[kind as DataConfig['kind']];
    }
    const sub: Record<string, unknown> = {};
    checkObject(v, schema!, `${section}.`, sub, bad);
    out[section] = sub;
  }
  const top: Record<string, unknown> = {};
  checkObject(Object.fromEntries(Object.keys(TOP).filter((k) => isOwnKey(value, k)).map((k) => [k, value[k]])), TOP, '', top, bad);
  Object.assign(out, top);
  if (dropped) issues.push({ field: 'config', message: `and ${dropped} more problems` });
  if (issues.length) throw new ConfigError(issues, where);
  const cfg = out as unknown as TrainConfig;
  const ranges = configIssues(cfg, data);
  if (ranges.length) throw new ConfigError(ranges.slice(0, MAX_CONFIG_ISSUES), where);
  return cfg;
}
