/**
 * The shipped model catalog: public/models/index.json (model ids in order; the first is what the page opens on)
 * and per model public/models/<id>/ with model.safetensors, card.json and log.jsonl. Adding a model is adding
 * its folder (npm run model-card) and its id to the index. Parsed defensively: a card that does not read gives
 * one line naming the file and field.
 */
import { isJsonObject } from '../io/json-value';
import { InputError, quote } from '../io/user-error';

export const INDEX_FILE = 'index.json';
export const MODEL_FILE = 'model.safetensors';
export const CARD_FILE = 'card.json';
export const LOG_FILE = 'log.jsonl';

/** An id is also a folder name and a URL segment. */
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Held-out evaluation as TRM Lab's own evaluation measured it (Trainer.evaluate with byStep). */
export interface CardEval {
  examples: number;
  exactAccuracy: number;
  tokenAccuracy: number;
  /** After each supervision step 1..N_sup. */
  exactByStep: number[];
  tokenByStep: number[];
  /** Examples whose first halting step is s + 1 (N_sup when the model never says halt), at index s. */
  haltCounts: number[];
  meanHaltStep: number;
  /** ARC kinds: voted pass@1 / pass@2 over whole tasks (the CLI eval's numbers). */
  passAtK?: Record<string, number>;
}

export interface ModelCard {
  id: string;
  title: string;
  description: string;
  /** The config in one line (variant, sizes, recursion, optimiser, data). */
  config: string;
  params: number;
  /** Bytes of model.safetensors. */
  bytes: number;
  training: {
    command: string;
    steps: number;
    /** Wall time of the training loop, null when nobody kept it. */
    seconds: number | null;
    machine: string;
  };
  /** How to reproduce the card's numbers. */
  evalCommand: string;
  /** Which held-out puzzles were scored and how they are drawn. */
  heldOut: string;
  eval: CardEval;
  /** Held-out example indices (into the config's test split) wrong after step 1 and right after the last; best first. */
  featured: number[];
  /** What log.jsonl holds (the training log thinned, or why only the card's evaluation). */
  log: string;
}

const where = (file: string, field: string) => `${file}: ${field}`;

function str(o: Record<string, unknown>, k: string, file: string): string {
  const v = o[k];
  if (typeof v !== 'string' || !v) throw new InputError(`${where(file, k)} must be a non-empty string, got ${quote(v)}`);
  return v;
}

function num(o: Record<string, unknown>, k: string, file: string, nullable = false): number {
  const v = o[k];
  if (nullable && v === null) return v as unknown as number;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${where(file, k)} must be a number, got ${quote(v)}`);
  return v;
}

function nums(o: Record<string, unknown>, k: string, file: string, len?: number): number[] {
  const v = o[k];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || (len !== undefined && v.length !== len))
    throw new InputError(`${where(file, k)} must be a list of ${len ?? 'some'} numbers, got ${quote(v)}`);
  return v as number[];
}

function obj(o: Record<string, unknown>, k: string, file: string): Record<string, unknown> {
  const v = o[k];
  if (!isJsonObject(v)) throw new InputError(`${where(file, k)} must be an object, got ${quote(v)}`);
  return v;
}

function json(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${file}: not JSON`);
  }
}

/** The ordered model ids of index.json. */
export function parseIndex(text: string, file = INDEX_FILE): string[] {
  const v = json(text, file);
  const models = isJsonObject(v) ? v.models : undefined;
  if (!Array.isArray(models) || models.length === 0) throw new InputError(`${file}: expected {"models": [id, …]} with at least one id`);
  for (const id of models) if (typeof id !== 'string' || !ID.test(id)) throw new InputError(`${file}: ${quote(id)} is not a model id (lower-case letters, digits, '-')`);
  if (new Set(models).size !== models.length) throw new InputError(`${file}: a model id is listed twice`);
  return models as string[];
}

export function indexText(ids: readonly string[]): string {
  return JSON.stringify({ models: ids }, null, 2) + '\n';
}

export function checkModelId(id: string, what = '--id'): string {
  if (!ID.test(id)) throw new InputError(`${what}: ${quote(id)} is not a model id (lower-case letters, digits and '-', up to 64)`);
  return id;
}

/** A card.json, checked field by field. */
export function parseCard(text: string, file = CARD_FILE): ModelCard {
  const v = json(text, file);
  if (!isJsonObject(v)) throw new InputError(`${file}: expected a JSON object`);
  const t = obj(v, 'training', file), e = obj(v, 'eval', file);
  const exactByStep = nums(e, 'exactByStep', `${file} eval`);
  const n = exactByStep.length;
  const featured = nums(v, 'featured', file);
  if (!featured.every((i) => Number.isInteger(i) && i >= 0)) throw new InputError(`${file}: featured must hold example indices (integers ≥ 0)`);
  const passAtK = e.passAtK === undefined ? undefined : obj(e, 'passAtK', `${file} eval`);
  return {
    id: checkModelId(str(v, 'id', file), `${file}: id`),
    title: str(v, 'title', file),
    description: str(v, 'description', file),
    config: str(v, 'config', file),
    params: num(v, 'params', file),
    bytes: num(v, 'bytes', file),
    training: { command: str(t, 'command', `${file} training`), steps: num(t, 'steps', `${file} training`), seconds: num(t, 'seconds', `${file} training`, true), machine: str(t, 'machine', `${file} training`) },
    evalCommand: str(v, 'evalCommand', file),
    heldOut: str(v, 'heldOut', file),
    eval: {
      examples: num(e, 'examples', `${file} eval`),
      exactAccuracy: num(e, 'exactAccuracy', `${file} eval`),
      tokenAccuracy: num(e, 'tokenAccuracy', `${file} eval`),
      exactByStep,
      tokenByStep: nums(e, 'tokenByStep', `${file} eval`, n),
      haltCounts: nums(e, 'haltCounts', `${file} eval`, n),
      meanHaltStep: num(e, 'meanHaltStep', `${file} eval`),
      ...(passAtK && { passAtK: Object.fromEntries(Object.keys(passAtK).map((k) => [k, num(passAtK, k, `${file} eval.passAtK`)])) }),
    },
    featured,
    log: str(v, 'log', file),
  };
}
