import { describe, expect, it } from 'vitest';
import { createSource } from '../../src/data/sources';
import { CpuEngine } from '../../src/engine/cpu';
import { GpuEngine } from '../../src/gpu/engine';
import { ConfigError, type TrainConfig } from '../../src/trm/config';
import { dataShapeOf, estimateMemory, formatBytes, memoryIssues, type EngineLimits } from '../../src/trm/memory';
import { getPreset } from '../../src/trm/presets';
import { Trainer } from '../../src/trm/trainer';
import { gpuEngine } from '../helpers/engines';
import { refusal } from '../helpers/user-message';

const GB = 1e9;
const limits = (over: Partial<EngineLimits> = {}): EngineLimits => ({
  device: 'a test GPU', memoryBytes: 8 * GB, memorySource: 'its 8 GB', maxBufferSize: 2 * GB, maxStorageBufferBindingSize: 134217728, bytesPerFloat: 4, ...over,
});

/** A config the software adapter runs in seconds whose activations dominate its fixed overheads. */
function measured(variant: 'mlp' | 'attention'): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, variant, posEncoding: variant === 'attention' ? 'rope' : 'none', heads: 4, hidden: 32, n: 2, T: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 32 };
  cfg.data = { kind: 'sudoku', size: 4, difficulty: 0.5, trainPuzzles: 50, testPuzzles: 8, augment: false };
  return cfg;
}

describe('memory estimate', () => {
  // Measured on SwiftShader (software-adapter kernels) after one training step and an evaluation: the pool held
  // 13 543 168 bytes for an estimate of 11 385 216 (mlp, ratio 1.19) and 11 817 472 for 9 302 400 (attention,
  // ratio 1.27). The pool rounds each buffer up to its size class (≤ 25%) and keeps small fixed buffers (RoPE
  // tables, batch and halting tensors, uniforms) that the estimate leaves out; neither grows faster than the
  // activations, so the estimate stays within a third of the truth as configs grow.
  it.each(['mlp', 'attention'] as const)('is within a third of what the GPU engine holds after a %s training step and an evaluation', async (variant) => {
    const cfg = measured(variant);
    const src = createSource(cfg.data, cfg.seed);
    const e = new GpuEngine((await gpuEngine()).handle);
    const tr = new Trainer(e, cfg, src);
    await tr.trainStep(true);
    await tr.evaluate(src.evalExamples());
    const held = e.stats().bytesAllocated;
    const est = estimateMemory(cfg, src.info).total;
    tr.release();
    e.trim();
    console.log(`[memory] ${variant}: estimate ${est} bytes, GPU pool ${held} bytes, ratio ${(held / est).toFixed(3)}`);
    expect(held / est).toBeGreaterThan(1);
    expect(held / est).toBeLessThan(4 / 3);
  });

  it('counts the parameter arena exactly as the trainer lays it out (×5 with EMA, ×4 without)', () => {
    const cfg = measured('attention');
    const src = createSource(cfg.data, cfg.seed);
    const e = new CpuEngine();
    const tr = new Trainer(e, cfg, src);
    expect(estimateMemory(cfg, src.info, 8).parts[0].bytes).toBe(5 * 8 * tr.arena.total);
    tr.release();
    cfg.optim.ema = 0;
    expect(estimateMemory(cfg, src.info, 4).parts[0].bytes).toBe(4 * 4 * tr.arena.total);
  });

  it('knows the data shape from the data section before any data is made', () => {
    for (const name of ['sudoku-4x4', 'sudoku-9x9-small', 'maze'] as const) {
      const cfg = getPreset(name);
      cfg.data = { ...cfg.data, ...(cfg.data.kind === 'maze' ? { trainMazes: 4, testMazes: 2 } : { trainPuzzles: 4, testPuzzles: 2 }) } as TrainConfig['data'];
      const { seqLen, vocabSize, numPuzzleIds } = createSource(cfg.data, 0).info;
      expect(dataShapeOf(cfg.data), name).toEqual({ seqLen, vocabSize, numPuzzleIds });
    }
    const arc = getPreset('arc-procedural');
    if (arc.data.kind !== 'arc-procedural') throw new Error('unexpected');
    arc.data = { ...arc.data, tasks: 10, augmentations: 2 };
    const real = createSource(arc.data, 0).info;
    const bound = dataShapeOf(arc.data);
    expect([bound.seqLen, bound.vocabSize]).toEqual([real.seqLen, real.vocabSize]);
    expect(bound.numPuzzleIds).toBeGreaterThanOrEqual(real.numPuzzleIds);
  });

  it('writes sizes in words with the exact figure', () => {
    expect(formatBytes(3.2e12)).toBe('3.2 TB (3 200 000 000 000 bytes)');
    expect(formatBytes(134217728)).toBe('134 MB (134 217 728 bytes)');
    expect(formatBytes(512)).toBe('512 bytes');
  });
});

describe('memory limits', () => {
  it('a config over the device memory is refused with the figure in bytes, on the field that scales it', () => {
    const cfg = getPreset('paper-maze-hard-att');
    const issues = memoryIssues(cfg, dataShapeOf(cfg.data), limits({ maxStorageBufferBindingSize: 1e15, maxBufferSize: 1e15 }));
    expect(issues).toEqual([{ field: 'optim.batchSize', message: expect.stringMatching(/^needs [\d.]+ GB \([\d ]+ bytes\) on a test GPU, over 8\.0 GB \(8 000 000 000 bytes\) \(its 8 GB\); most of it is activations of the recorded cycle \(5 net calls × 2 layers\)$/) }]);
    expect(memoryIssues({ ...cfg, optim: { ...cfg.optim, batchSize: 8 } }, dataShapeOf(cfg.data), limits())).toEqual([]);
  });

  it('a buffer over maxStorageBufferBindingSize is refused even when the total fits', () => {
    const cfg = getPreset('maze');
    cfg.optim.batchSize = 4096; // [4096, 65 positions, 2 × 176] floats: 374 865 920 bytes
    const issues = memoryIssues(cfg, dataShapeOf(cfg.data), limits({ memoryBytes: 1e12 }));
    expect(issues).toEqual([{ field: 'optim.batchSize', message: 'its largest buffer, a SwiGLU activation, is 375 MB (374 865 920 bytes) > maxStorageBufferBindingSize 134217728 of a test GPU' }]);
  });

  it('a puzzle-embedding table over maxBufferSize is named on model.puzzleEmbDim', () => {
    const cfg = getPreset('arc-procedural');
    if (cfg.data.kind !== 'arc-procedural') throw new Error('unexpected');
    cfg.model.puzzleEmbDim = 128;
    cfg.data.tasks = 100_000;
    cfg.data.augmentations = 100;
    const issues = memoryIssues(cfg, dataShapeOf(cfg.data), limits({ memoryBytes: 1e12, maxStorageBufferBindingSize: 1e12 }));
    expect(issues).toEqual([{ field: 'model.puzzleEmbDim', message: 'its largest buffer, the puzzle-embedding table, is 5.2 GB (5 171 200 512 bytes) > maxBufferSize 2000000000 of a test GPU' }]);
  });

  it('the Trainer refuses a config over its engine\'s memory before allocating anything', () => {
    const cfg = measured('mlp');
    const src = createSource(cfg.data, cfg.seed);
    const e = new CpuEngine({ memoryBytes: 1_000_000 });
    const msg = refusal(() => new Trainer(e, cfg, src), ConfigError);
    expect(msg).toMatch(/^optim\.batchSize: needs [\d.]+ MB \([\d ]+ bytes\) on the CPU twin, over 1\.0 MB \(1 000 000 bytes\) \(the memory it was given\)/);
    expect(e.stats().liveTensors).toBe(0);
  });

  it('the GPU engine reports its device\'s buffer limits, and the Trainer checks them before creating a buffer', async () => {
    const handle = (await gpuEngine()).handle;
    const e = new GpuEngine(handle, { memoryBytes: 1_000_000 });
    const l = e.limits();
    expect([l.maxBufferSize, l.maxStorageBufferBindingSize, l.bytesPerFloat]).toEqual([handle.device.limits.maxBufferSize, handle.device.limits.maxStorageBufferBindingSize, 4]);
    expect(new GpuEngine(handle).limits().memoryBytes).toBe(256 * 2 ** 30);
    const cfg = measured('attention');
    expect(() => new Trainer(e, cfg, createSource(cfg.data, cfg.seed))).toThrow(/^optim\.batchSize: needs [\d.]+ MB \([\d ]+ bytes\) on WebGPU \(.*\), over 1\.0 MB/);
    expect(e.stats().buffersCreated).toBe(0);
  });
});
