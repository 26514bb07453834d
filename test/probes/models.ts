/** Models the probe tests run on: tiny random ones built from presets, and the shipped 4×4 Sudoku checkpoint. */
import { readFileSync } from 'node:fs';
import { loadEvalData } from '../../src/cli/eval-data';
import { createSource } from '../../src/data/sources';
import type { Engine } from '../../src/engine/engine';
import { parseCheckpoint, restoreCheckpoint, type Checkpoint } from '../../src/io/checkpoint';
import type { TrainConfig } from '../../src/trm/config';
import { parseTrainConfig } from '../../src/trm/config-parse';
import { getPreset } from '../../src/trm/presets';
import { Trainer } from '../../src/trm/trainer';

/** The shipped model, in the catalog layout or where it was before. */
export const SHIPPED = 'public/models/sudoku-4x4/model.safetensors';

export const shippedCheckpoint = (): Checkpoint => parseCheckpoint(Uint8Array.from(readFileSync(SHIPPED)), SHIPPED);

/** A checkpoint's model with the held-out data `npm run eval --data test` scores it on. */
export function checkpointTrainer(engine: Engine, ck: Checkpoint, name: string) {
  const cfg = parseTrainConfig(ck.meta.config, name, ck.meta.data);
  const source = loadEvalData('test', cfg, ck.meta.data);
  const trainer = new Trainer(engine, cfg, { ...source, info: ck.meta.data });
  restoreCheckpoint(trainer, ck, name);
  return { trainer, source };
}

/** A randomly initialised 4×4 Sudoku TRM (T 2, n 2, N_sup 3) small enough for the CPU twin and SwiftShader. */
export function tinySudoku(): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, T: 2, n: 2, nSup: 3, expansion: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 8 };
  cfg.data = { kind: 'sudoku', size: 4, difficulty: 3 / 16, trainPuzzles: 20, testPuzzles: 12, augment: true };
  return cfg;
}

/** A randomly initialised ARC-style model with a puzzle-embedding row per task version (procedural tasks, 6×6). */
export function tinyArc(): TrainConfig {
  const cfg = getPreset('arc-procedural');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, heads: 2, T: 1, n: 1, nSup: 2, expansion: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 8 };
  if (cfg.data.kind !== 'arc-procedural') throw new Error('arc-procedural preset expected');
  cfg.data = { ...cfg.data, tasks: 12, augmentations: 2 };
  return cfg;
}

export function randomTrainer(engine: Engine, cfg: TrainConfig) {
  const source = createSource(cfg.data, cfg.seed);
  return { trainer: new Trainer(engine, cfg, source), source };
}
