import type { Engine } from '../engine/engine';
import { copyInto } from '../ops/elementwise';
import type { DatasetInfo } from '../data/dataset';
import type { TrainConfig } from '../trm/config';
import type { Trainer } from '../trm/trainer';
import { NAMES } from '../trm/params';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors';

export const CHECKPOINT_FORMAT = 'trm-lab/1';

/** Training state kept beside the reference-named weights, so a run resumes exactly where it stopped. */
const TRAIN = { live: '_train.params', ema: '_train.ema', m: '_train.adam_m', v: '_train.adam_v' } as const;

export interface CheckpointMeta {
  format: string;
  config: TrainConfig;
  data: DatasetInfo;
  step: number;
  adamStep: number;
  /** ARC: the puzzle-id registry (identifiers.json layout), so ids keep meaning across runs. */
  puzzleIds?: string[];
  /** Free-form run facts (wall time, final metrics). */
  notes?: Record<string, unknown>;
}

async function f32(e: Engine, t: Parameters<Engine['read']>[0]): Promise<Float32Array> {
  return Float32Array.from(await e.read(t));
}

/**
 * A safetensors checkpoint: the evaluation weights (EMA where enabled, as the reference saves) under the
 * reference state_dict names, the buffers (H_init, L_init, puzzle embeddings), and the training state.
 */
export async function saveCheckpoint(trainer: Trainer, extra: { puzzleIds?: string[]; notes?: Record<string, unknown> } = {}): Promise<Uint8Array> {
  const e = trainer.engine;
  const tensors = new Map<string, SafeTensor>();
  const weights = trainer.evalWeights();
  for (const s of trainer.arena.slots) tensors.set(s.name, { dtype: 'F32', shape: [...s.shape], data: await f32(e, weights.get(s.name)!) });
  const b = trainer.buffers;
  tensors.set(NAMES.yInit, { dtype: 'F32', shape: [...b.yInit.shape], data: await f32(e, b.yInit) });
  tensors.set(NAMES.zInit, { dtype: 'F32', shape: [...b.zInit.shape], data: await f32(e, b.zInit) });
  if (b.puzzleEmb) tensors.set(NAMES.puzzleEmb, { dtype: 'F32', shape: [...b.puzzleEmb.shape], data: await f32(e, b.puzzleEmb) });
  tensors.set(TRAIN.live, { dtype: 'F32', shape: [trainer.arena.total], data: await f32(e, trainer.arena.data) });
  if (trainer.ema) tensors.set(TRAIN.ema, { dtype: 'F32', shape: [trainer.arena.total], data: await f32(e, trainer.ema.shadow) });
  tensors.set(TRAIN.m, { dtype: 'F32', shape: [trainer.arena.total], data: await f32(e, trainer.adam.m) });
  tensors.set(TRAIN.v, { dtype: 'F32', shape: [trainer.arena.total], data: await f32(e, trainer.adam.v) });
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    config: trainer.cfg,
    data: trainer.data.info,
    step: trainer.step,
    adamStep: trainer.adam.t,
    ...extra,
  };
  return writeSafetensors(tensors, { trm_lab: JSON.stringify(meta) });
}

export interface Checkpoint {
  meta: CheckpointMeta;
  tensors: Map<string, SafeTensor>;
}

export function parseCheckpoint(bytes: Uint8Array, fileName = 'checkpoint'): Checkpoint {
  const { tensors, metadata } = readSafetensors(bytes, fileName);
  if (!metadata.trm_lab) throw new Error(`${fileName}: a safetensors file, but not a TRM Lab checkpoint (no "trm_lab" metadata)`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(metadata.trm_lab) as CheckpointMeta;
  } catch (err) {
    throw new Error(`${fileName}: checkpoint metadata is not JSON (${(err as Error).message})`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) throw new Error(`${fileName}: checkpoint format ${meta.format}, this build reads ${CHECKPOINT_FORMAT}`);
  return { meta, tensors };
}

/** Load a checkpoint into a trainer built from the same config: weights, buffers, optimizer state and step. */
export function restoreCheckpoint(trainer: Trainer, ck: Checkpoint, fileName = 'checkpoint'): void {
  const e = trainer.engine;
  const need = (name: string, size: number) => {
    const t = ck.tensors.get(name);
    if (!t) throw new Error(`${fileName}: missing tensor ${name}`);
    if (t.data.length !== size) throw new Error(`${fileName}: ${name} has ${t.data.length} values, the model needs ${size}`);
    return t.data;
  };
  const total = trainer.arena.total;
  if (ck.tensors.has(TRAIN.live)) {
    e.write(trainer.arena.data, need(TRAIN.live, total));
    e.write(trainer.adam.m, need(TRAIN.m, total));
    e.write(trainer.adam.v, need(TRAIN.v, total));
    if (trainer.ema) e.write(trainer.ema.shadow, ck.tensors.has(TRAIN.ema) ? need(TRAIN.ema, total) : need(TRAIN.live, total));
  } else {
    // Weights only (e.g. exported for inference): load the named tensors as both live and EMA weights.
    for (const s of trainer.arena.slots) e.write(trainer.arena.param(s.name), need(s.name, s.size));
    if (trainer.ema) copyInto(e, trainer.ema.shadow, trainer.arena.data);
  }
  const b = trainer.buffers;
  e.write(b.yInit, need(NAMES.yInit, b.yInit.size));
  e.write(b.zInit, need(NAMES.zInit, b.zInit.size));
  if (b.puzzleEmb) e.write(b.puzzleEmb, need(NAMES.puzzleEmb, b.puzzleEmb.size));
  trainer.step = ck.meta.step;
  trainer.adam.t = ck.meta.adamStep;
}
