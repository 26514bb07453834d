import type { Engine } from '../engine/engine';
import { copyInto } from '../ops/elementwise';
import type { Trainer } from '../trm/trainer';
import { NAMES } from '../trm/params';
import { TRAIN, TRAIN_PREFIX, checkpointLayout, layoutMismatch, listed } from './checkpoint-layout';
import { CHECKPOINT_FORMAT, parseCheckpointMeta, type CheckpointMeta } from './checkpoint-meta';
import { decodeTensors, readSafetensorsHeader, tensorName, writeSafetensors, type SafeTensor } from './safetensors';
import { InputError } from './user-error';

export { CHECKPOINT_FORMAT, type CheckpointMeta };

async function f32(e: Engine, t: Parameters<Engine['read']>[0]): Promise<Float32Array> {
  return Float32Array.from(await e.read(t));
}

/** saveCheckpoint refused: the weights hold NaN/Inf, and a save must never replace a finite checkpoint with them. */
export class NonFiniteWeightsError extends InputError {
  override name = 'NonFiniteWeightsError';
  constructor(readonly step: number, readonly tensors: string[]) {
    super(`the weights at step ${step} hold NaN/Inf (${listed(tensors, 2)}), so they were not saved`);
  }
}

/**
 * A safetensors checkpoint: the evaluation weights (EMA where enabled, as the reference saves) under the
 * reference state_dict names, the buffers (H_init, L_init, puzzle embeddings), and the training state.
 * Throws NonFiniteWeightsError rather than serialise a diverged run (parseCheckpoint would refuse it anyway).
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
  const bad = nonFiniteTensors(tensors);
  if (bad.length) throw new NonFiniteWeightsError(trainer.step, bad);
  return writeSafetensors(tensors, { trm_lab: JSON.stringify(meta) });
}

export interface Checkpoint {
  meta: CheckpointMeta;
  /** Every tensor the config needs, each F32 with its exact shape (checked by parseCheckpoint). */
  tensors: Map<string, SafeTensor>;
  /** Non-finite weights loaded because the caller asked to inspect them; empty otherwise. */
  warnings: string[];
}

export interface ParseOptions {
  /** Load tensors holding NaN or ±Inf (to inspect a diverged run) and report them in `warnings` instead of refusing. */
  allowNonFinite?: boolean;
}

/** Tensors holding NaN or ±Inf, each named with its counts ("inner.H_init": 2 NaN, 1 infinite of 16). */
export function nonFiniteTensors(tensors: ReadonlyMap<string, SafeTensor>): string[] {
  const out: string[] = [];
  for (const [name, t] of tensors) {
    let nan = 0, inf = 0;
    for (const v of t.data) {
      if (Number.isNaN(v)) nan++;
      else if (!Number.isFinite(v)) inf++;
    }
    if (nan || inf) out.push(`${tensorName(name)}: ${[nan && `${nan} NaN`, inf && `${inf} infinite`].filter(Boolean).join(', ')} of ${t.data.length}`);
  }
  return out;
}

/**
 * Read a checkpoint from untrusted bytes, checking everything before any tensor is used: the safetensors
 * header, the metadata (the config through the user-config validator), that the tensors are exactly the ones
 * the config needs (F32, exact shapes), and that every value is finite. Throws InputError (ConfigError for
 * config fields) naming the file, the field or tensor and the problem.
 */
export function parseCheckpoint(bytes: Uint8Array, fileName = 'checkpoint', opts: ParseOptions = {}): Checkpoint {
  const header = readSafetensorsHeader(bytes, fileName);
  const meta = parseCheckpointMeta(header.metadata, fileName);
  const mismatch = layoutMismatch(header.entries, checkpointLayout(meta.config, meta.data));
  if (mismatch) throw new InputError(`${fileName}: ${mismatch}`);
  const tensors = decodeTensors(bytes, header);
  const bad = nonFiniteTensors(tensors);
  if (bad.length && !opts.allowNonFinite)
    throw new InputError(`${fileName}: ${bad.length} tensor${bad.length > 1 ? 's hold' : ' holds'} non-finite values (a diverged run?): ${listed(bad, 3)}`);
  const warnings = bad.length ? [`${fileName}: loaded non-finite values as asked, outputs from them are not meaningful: ${listed(bad, 3)}`] : [];
  return { meta, tensors, warnings };
}

/**
 * Load a checkpoint that parseCheckpoint read into a trainer: weights, buffers, optimizer state and step. The
 * trainer's config may differ from the checkpoint's (resume overrides) only in ways that keep every tensor's
 * shape; anything else is refused naming the tensors.
 */
export function restoreCheckpoint(trainer: Trainer, ck: Checkpoint, fileName = 'checkpoint'): void {
  const e = trainer.engine;
  // The training state's length follows from the weights' shapes, and EMA may be switched on or off on resume.
  const weights = new Map([...ck.tensors].filter(([name]) => !name.startsWith(TRAIN_PREFIX)));
  const mismatch = layoutMismatch(weights, { weights: checkpointLayout(trainer.cfg, trainer.data.info).weights, trainState: [] }, "this run's config");
  if (mismatch) throw new InputError(`${fileName}: ${mismatch}`);
  const data = (name: string) => ck.tensors.get(name)!.data;
  if (ck.tensors.has(TRAIN.live)) {
    e.write(trainer.arena.data, data(TRAIN.live));
    e.write(trainer.adam.m, data(TRAIN.m));
    e.write(trainer.adam.v, data(TRAIN.v));
    if (trainer.ema) e.write(trainer.ema.shadow, data(ck.tensors.has(TRAIN.ema) ? TRAIN.ema : TRAIN.live));
  } else {
    // Weights only (e.g. exported for inference): load the named tensors as both live and EMA weights.
    for (const s of trainer.arena.slots) e.write(trainer.arena.param(s.name), data(s.name));
    if (trainer.ema) copyInto(e, trainer.ema.shadow, trainer.arena.data);
  }
  const b = trainer.buffers;
  e.write(b.yInit, data(NAMES.yInit));
  e.write(b.zInit, data(NAMES.zInit));
  if (b.puzzleEmb) e.write(b.puzzleEmb, data(NAMES.puzzleEmb));
  trainer.step = ck.meta.step;
  trainer.adam.t = ck.meta.adamStep;
}
