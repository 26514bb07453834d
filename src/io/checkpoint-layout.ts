/**
 * The tensors a checkpoint of a given config holds, by name, shape and dtype, computed without allocating:
 * the reference-named weights and buffers, and (optionally, all together) the training state over the arena.
 */
import type { SafeDType, SafeEntry } from './safetensors';
import { fmtShape, tensorName } from './safetensors';
import { arenaLength } from '../nn/arena';
import type { DataShape, TrainConfig } from '../trm/config';
import { NAMES, parameterShapes } from '../trm/params';

/** Training state kept beside the reference-named weights, so a run resumes exactly where it stopped. */
export const TRAIN = { live: '_train.params', ema: '_train.ema', m: '_train.adam_m', v: '_train.adam_v' } as const;
export const TRAIN_PREFIX = '_train.';

export interface TensorSpec {
  name: string;
  shape: readonly number[];
}

export interface CheckpointLayout {
  /** Always present: the evaluation weights and the buffers (H_init, L_init, puzzle embeddings). */
  weights: TensorSpec[];
  /** Present all together or not at all (a weights-only export): live weights, EMA where enabled, Adam moments. */
  trainState: TensorSpec[];
}

/** Every tensor is float32. */
export const CHECKPOINT_DTYPE: SafeDType = 'F32';

export function checkpointLayout(cfg: TrainConfig, data: DataShape): CheckpointLayout {
  const m = cfg.model;
  const params = parameterShapes(m, data);
  const weights: TensorSpec[] = [...params, { name: NAMES.yInit, shape: [m.hidden] }, { name: NAMES.zInit, shape: [m.hidden] }];
  if (m.puzzleEmbDim > 0) weights.push({ name: NAMES.puzzleEmb, shape: [data.numPuzzleIds, m.puzzleEmbDim] });
  const total = [arenaLength(params.map((p) => p.shape))];
  const trainState: TensorSpec[] = [{ name: TRAIN.live, shape: total }];
  if (cfg.optim.ema > 0) trainState.push({ name: TRAIN.ema, shape: total });
  trainState.push({ name: TRAIN.m, shape: total }, { name: TRAIN.v, shape: total });
  return { weights, trainState };
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The first few of `items` for one message, then how many more. */
export const listed = (items: readonly string[], shown = 4): string =>
  items.slice(0, shown).join('; ') + (items.length > shown ? `; and ${items.length - shown} more` : '');

/**
 * What keeps `entries` from being a checkpoint of `layout`: one line naming the tensors that are missing, extra
 * or of the wrong shape or dtype (the first few, then a count), or null when they match. `whose` names the
 * config in the message.
 */
export function layoutMismatch(entries: ReadonlyMap<string, Pick<SafeEntry, 'dtype' | 'shape'>>, layout: CheckpointLayout, whose = 'the config'): string | null {
  const needs = `${whose} needs`;
  const hasTrainState = layout.trainState.some((s) => entries.has(s.name));
  const wanted = hasTrainState ? [...layout.weights, ...layout.trainState] : layout.weights;
  const known = new Set(wanted.map((s) => s.name));
  const missing = wanted.filter((s) => !entries.has(s.name)).map((s) => tensorName(s.name));
  const wrong: string[] = [];
  for (const s of wanted) {
    const t = entries.get(s.name);
    if (!t) continue;
    if (t.dtype !== CHECKPOINT_DTYPE) wrong.push(`${tensorName(s.name)} is ${t.dtype}, ${needs} ${CHECKPOINT_DTYPE}`);
    else if (!sameShape(t.shape, s.shape)) wrong.push(`${tensorName(s.name)} has shape ${fmtShape(t.shape)}, ${needs} ${fmtShape(s.shape)}`);
  }
  const extra = [...entries.keys()].filter((n) => !known.has(n)).map(tensorName);
  if (!missing.length && !wrong.length && !extra.length) return null;
  const counts = [
    missing.length && `${missing.length} missing`,
    wrong.length && `${wrong.length} of the wrong shape or dtype`,
    extra.length && `${extra.length} unknown to it`,
  ].filter(Boolean);
  const items = [...missing.map((n) => `missing ${n}`), ...wrong, ...extra.map((n) => `unknown ${n}`)];
  return `tensors do not match ${whose} (${counts.join(', ')}): ${listed(items)}`;
}
