/**
 * Published-size reference checkpoints made up for tests, written as a stream to a file (never held whole, never
 * committed): torch.save zips with pretrain.py's `_orig_mod.model.` names and SwiGLU widths padded to 256, weights
 * in float32, H_init/L_init and the puzzle embedding in bfloat16 (an ARC table of 500k rows is then ~0.5 GB), and
 * an all_config.yaml of the reference's fields (no TRM Lab block, so the import reads it as pretrain.py's).
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { DatasetInfo } from '../../src/data/dataset';
import { referenceConfigYaml } from '../../src/io/reference-config';
import { SAVED_PREFIX } from '../../src/io/reference-checkpoint';
import { torchZipChunks, type StoredTensor } from '../../src/io/torch-checkpoint';
import { crc32 } from '../../src/io/zip';
import { mulberry32 } from '../../src/nn/init';
import type { TrainConfig } from '../../src/trm/config';
import { NAMES, parameterShapes } from '../../src/trm/params';
import { getPreset } from '../../src/trm/presets';

export interface SyntheticShape {
  cfg: TrainConfig;
  data: DatasetInfo;
}

/** ARC-AGI-1 as the reference trains it: attention, D 512, 30×30 canvas, one row per augmented puzzle. */
export function arcShaped(rows = 500_001, hidden = 512): SyntheticShape {
  const cfg = getPreset('paper-arc-agi-1-att');
  cfg.model.hidden = hidden;
  cfg.model.puzzleEmbDim = hidden;
  return { cfg, data: { name: 'arc1concept-aug-1000', seqLen: 900, vocabSize: 12, numPuzzleIds: rows } };
}

/** Sudoku-Extreme as the reference trains it: the MLP token mixer, D 512, 81 cells, the one (blank) puzzle id. */
export function sudokuShaped(hidden = 512): SyntheticShape {
  const cfg = getPreset('paper-sudoku-extreme-mlp');
  cfg.model.hidden = hidden;
  cfg.model.puzzleEmbDim = hidden;
  return { cfg, data: { name: 'sudoku-extreme-1k-aug-1000', seqLen: 81, vocabSize: 11, numPuzzleIds: 1 } };
}

/** float32 → bfloat16 bits (round to nearest even), as torch rounds. */
function bf16(values: Float32Array): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (bits[i] + 0x7fff + ((bits[i] >>> 16) & 1)) >>> 16;
  return new Uint8Array(out.buffer);
}

/** Row `r` of the synthetic puzzle embedding (row 0, the blank puzzle, is zeros as in the reference). */
export function syntheticRow(r: number, dim: number): Float32Array {
  const out = new Float32Array(dim);
  if (r === 0) return out;
  const rand = mulberry32(r * 7919 + 13);
  for (let i = 0; i < dim; i++) out[i] = (rand() - 0.5) * 0.2;
  return out;
}

/** The table's bytes in blocks of rows, the same each time it is asked. */
function* tableBlocks(rows: number, dim: number, per = 2048): Generator<Uint8Array> {
  for (let r = 0; r < rows; r += per) {
    const n = Math.min(per, rows - r);
    const block = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) block.set(syntheticRow(r + i, dim), i * dim);
    yield bf16(block);
  }
}

export interface SyntheticFiles {
  checkpoint: string;
  config: string;
  bytes: number;
}

/** Write `step_N` and all_config.yaml for `shape` into `dir` (random weights, every SwiGLU unit in use). */
export function writeSyntheticCheckpoint(dir: string, { cfg, data }: SyntheticShape, step = 1000): SyntheticFiles {
  const rand = mulberry32(step);
  const tensors = new Map<string, StoredTensor>();
  for (const { name, shape } of parameterShapes(cfg.model, data)) {
    const w = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const scale = 1 / Math.sqrt(shape[shape.length - 1]);
    for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * scale;
    tensors.set(SAVED_PREFIX + name, { shape, dtype: 'F32', bytes: new Uint8Array(w.buffer) });
  }
  for (const name of [NAMES.yInit, NAMES.zInit]) {
    const v = Float32Array.from({ length: cfg.model.hidden }, () => rand() * 2 - 1);
    tensors.set(SAVED_PREFIX + name, { shape: [cfg.model.hidden], dtype: 'BF16', bytes: bf16(v) });
  }
  const { numPuzzleIds: rows } = data, dim = cfg.model.puzzleEmbDim;
  let crc = 0;
  for (const b of tableBlocks(rows, dim)) crc = crc32(b, crc);
  tensors.set(SAVED_PREFIX + NAMES.puzzleEmb, { shape: [rows, dim], dtype: 'BF16', bytes: { length: rows * dim * 2, crc32: crc, chunks: () => tableBlocks(rows, dim) } });

  const checkpoint = join(dir, `step_${step}`);
  const fd = openSync(checkpoint, 'w');
  let bytes = 0;
  try {
    for (const c of torchZipChunks(tensors, `step_${step}`)) bytes += writeSync(fd, c);
  } finally {
    closeSync(fd);
  }
  const yaml = parse(referenceConfigYaml(cfg, data, step)) as Record<string, unknown>;
  delete yaml.trm_lab;
  const config = join(dir, 'all_config.yaml');
  writeFileSync(config, stringify(yaml));
  return { checkpoint, config, bytes };
}
