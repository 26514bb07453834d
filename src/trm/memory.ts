/**
 * The memory a config needs on a device, estimated from its sizes before anything is allocated, so that a config
 * whose sizes are each legal but need terabytes together is refused with the figure instead of running until
 * the device or the process dies.
 */
import { CpuEngine } from '../engine/cpu';
import type { EngineLimits } from '../engine/engine';
import { MAX_GPU_MEMORY } from '../gpu/engine';
import { ARC_VOCAB_SIZE } from '../data/arc-encoding';
import { MAZE_VOCAB_SIZE } from '../data/maze';
import { sudokuVocabSize } from '../data/sudoku';
import { arenaLength } from '../nn/arena';
import { ConfigError, type ConfigIssue, type DataConfig, type DataShape, type TrainConfig } from './config';
import { modelDims, parameterShapes } from './params';

export type { EngineLimits };

/** One allocation the estimate counts, with the config field that scales it most (where the page shows it). */
export interface MemoryPart {
  what: string;
  field: string;
  bytes: number;
}

export interface MemoryEstimate {
  total: number;
  parts: MemoryPart[];
  /** The largest single buffer. */
  largest: { what: string; bytes: number };
}

/**
 * Bytes a training run of `cfg` on data of shape `data` holds at its peak, with `bytesPerFloat` per element:
 *  - the parameter arena ×5: live weights, gradients, Adam m and v, the EMA copy (×4 without EMA);
 *  - the puzzle-embedding table (sign-SGD keeps no state for it);
 *  - the training carry and the evaluation carry (y and z, [B, S, D] each);
 *  - the activations the recorded cycle keeps for backward: n + 1 net calls (n latent updates and one answer
 *    update), each an input sum [B, S, D] plus, per layer, what the block stores: attention qkv [B, S, 3D], its
 *    output and o_proj [B, S, D] each, the logsumexp [B, heads, S] (the kernels are fused: no [B, heads, S, S]
 *    score matrix exists; the CPU twin makes one S × S head at a time), or the MLP token mixer's [B, D, 2·interT] and [B, S, D]; then the SwiGLU input
 *    [B, S, 2·inter], its materialised output [B, S, inter] (the software-adapter kernels make it), the down
 *    projection and two RMSNorm outputs [B, S, D] with their row scales; plus the logits [B, L, V];
 *  - the backward pass's working set: one block's gradients and the y/z gradient chain.
 * Calibrated against the GPU engine's buffer pool in test/trm/config-memory.test.ts.
 */
export function estimateMemory(cfg: TrainConfig, data: DataShape, bytesPerFloat = 4): MemoryEstimate {
  const m = cfg.model, B = cfg.optim.batchSize, D = m.hidden, L = data.seqLen;
  const { positions: S, inter, interT } = modelDims(m, data);
  const R = B * S;
  const arena = arenaLength(parameterShapes(m, data).map((p) => p.shape));
  const copies = cfg.optim.ema > 0 ? 5 : 4;
  const table = m.puzzleEmbDim > 0 ? data.numPuzzleIds * m.puzzleEmbDim : 0;
  const mixer = m.variant === 'attention'
    ? R * (3 * D + 2 * D) + B * m.heads * S
    : B * D * (2 * interT + interT + 1) + R * D;
  const block = mixer + R * (2 * inter + inter + 3 * D + 2);
  const cycle = (m.n + 1) * (R * D + m.layers * block) + 2 * R * D + B * L * data.vocabSize;
  const floats: [string, string, number][] = [
    [`parameters (${arena.toLocaleString('en')} floats × ${copies}: weights, gradients, Adam m and v${copies === 5 ? ', EMA' : ''})`, 'model.hidden', copies * arena],
    ['puzzle-embedding table', 'model.puzzleEmbDim', table],
    ['training and evaluation carries', 'optim.batchSize', 4 * R * D],
    [`activations of the recorded cycle (${m.n + 1} net calls × ${m.layers} layers)`, 'optim.batchSize', cycle],
    ['backward working set', 'optim.batchSize', block + 2 * R * D],
  ];
  const parts = floats.filter(([, , n]) => n > 0).map(([what, field, n]) => ({ what, field, bytes: n * bytesPerFloat }));
  const buffers: [string, number][] = [
    ['the parameter arena', arena],
    ['the puzzle-embedding table', table],
    ['an MLP token-mixer activation', m.variant === 'mlp' ? B * D * 2 * interT : 0],
    ['a SwiGLU activation', R * 2 * inter],
    ['an attention qkv activation', m.variant === 'attention' ? R * 3 * D : 0],
    ['the logits', B * L * data.vocabSize],
  ];
  const [what, n] = buffers.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { total: parts.reduce((s, p) => s + p.bytes, 0), parts, largest: { what, bytes: n * bytesPerFloat } };
}

/** "3.2 TB (3 200 000 000 000 bytes)": a size in words with the exact figure. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0, v = bytes;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const exact = `${Math.round(bytes).toLocaleString('en').replace(/,/g, ' ')} bytes`;
  return i === 0 ? exact : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]} (${exact})`;
}

/**
 * Why `cfg` cannot run within `limits`: the total over the memory budget (named on the field that scales the
 * largest part), or its largest buffer over maxBufferSize / maxStorageBufferBindingSize. Empty when it fits.
 */
export function memoryIssues(cfg: TrainConfig, data: DataShape, limits: EngineLimits): ConfigIssue[] {
  const est = estimateMemory(cfg, data, limits.bytesPerFloat);
  const out: ConfigIssue[] = [];
  const main = est.parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  if (est.total > limits.memoryBytes) {
    out.push({ field: main.field, message: `needs ${formatBytes(est.total)} on ${limits.device}, over ${formatBytes(limits.memoryBytes)} (${limits.memorySource}); most of it is ${main.what}` });
  }
  for (const [name, limit] of [['maxBufferSize', limits.maxBufferSize], ['maxStorageBufferBindingSize', limits.maxStorageBufferBindingSize]] as const) {
    if (est.largest.bytes > limit) {
      const field = est.largest.what.includes('table') ? 'model.puzzleEmbDim' : est.largest.what.includes('arena') ? 'model.hidden' : 'optim.batchSize';
      out.push({ field, message: `its largest buffer, ${est.largest.what}, is ${formatBytes(est.largest.bytes)} > ${name} ${limit} of ${limits.device}` });
      break;
    }
  }
  return out;
}

/** Throws ConfigError (prefixed with `where`) when `cfg` does not fit `limits` (see memoryIssues). */
export function checkMemory(cfg: TrainConfig, data: DataShape, limits: EngineLimits, where?: string): void {
  const issues = memoryIssues(cfg, data, limits);
  if (issues.length) throw new ConfigError(issues, where);
}

/** Most tasks any ARC source holds (ARC-AGI-2: 1000 training + 120 evaluation), for estimates before they load. */
const MAX_ARC_TASKS = 1120;

/**
 * The data shape a config's data section gives, known before any data is generated or loaded: exact for Sudoku
 * and mazes, an upper bound on puzzle ids for ARC (tasks × (augmentations + 1) + the blank id). For the page
 * to estimate memory from a link before the user presses Start.
 */
export function dataShapeOf(d: DataConfig): DataShape {
  switch (d.kind) {
    case 'sudoku':
      return { seqLen: d.size * d.size, vocabSize: sudokuVocabSize(d.size), numPuzzleIds: 1 };
    case 'maze':
      return { seqLen: d.size * d.size, vocabSize: MAZE_VOCAB_SIZE, numPuzzleIds: 1 };
    case 'arc-procedural':
      return { seqLen: d.canvas * d.canvas, vocabSize: ARC_VOCAB_SIZE, numPuzzleIds: d.tasks * (d.augmentations + 1) + 1 };
    case 'arc':
      return { seqLen: d.canvas * d.canvas, vocabSize: ARC_VOCAB_SIZE, numPuzzleIds: MAX_ARC_TASKS * (d.augmentations + 1) + 1 };
  }
}

/**
 * Limits to check a config against before the engine exists (the CLI checks before it generates data or opens a
 * device): the CPU twin's RAM, or for WebGPU the most any GPU holds; the Trainer checks again with the device's own.
 */
export function limitsBeforeDevice(backend: 'gpu' | 'cpu'): EngineLimits {
  if (backend === 'cpu') return new CpuEngine().limits();
  return {
    device: 'any WebGPU device',
    memoryBytes: MAX_GPU_MEMORY,
    memorySource: 'the most any GPU holds',
    maxBufferSize: Infinity,
    maxStorageBufferBindingSize: Infinity,
    bytesPerFloat: 4,
  };
}
