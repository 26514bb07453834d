import { describe, expect, it } from 'vitest';
import { ConfigError, configIssues, prefixLength, swigluWidth, validateConfig } from '../../src/trm/config';
import { PRESET_NAMES, getPreset } from '../../src/trm/presets';
import { modelDims, NAMES, parameterShapes, parameterSpecs } from '../../src/trm/params';

describe('config', () => {
  it('every preset is valid', () => {
    for (const name of PRESET_NAMES) expect(configIssues(getPreset(name)), name).toEqual([]);
  });

  it('the paper presets are the published configurations', () => {
    const s = getPreset('paper-sudoku-extreme-mlp');
    expect(s.model).toMatchObject({ variant: 'mlp', hidden: 512, layers: 2, T: 3, n: 6, nSup: 16, puzzleEmbLen: 16, swigluMultiple: 256 });
    expect(s.optim).toMatchObject({ optimizer: 'adam-atan2', lr: 1e-4, beta1: 0.9, beta2: 0.95, weightDecay: 1.0, warmupSteps: 2000, ema: 0.999, batchSize: 768, loss: 'stablemax' });
    expect(getPreset('paper-maze-hard-att').model).toMatchObject({ variant: 'attention', heads: 8, T: 3, n: 4 });
    expect(getPreset('paper-arc-agi-1-att').optim).toMatchObject({ weightDecay: 0.1, puzzleEmbLr: 1e-2 });
  });

  it('reproduces the reference parameter counts (trm-spec §1.7)', () => {
    const count = (name: string, data: { seqLen: number; vocabSize: number }) => {
      const cfg = getPreset(name);
      return parameterSpecs(cfg.model, { ...data, numPuzzleIds: 1 }, 0).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    };
    expect(count('paper-sudoku-extreme-mlp', { seqLen: 81, vocabSize: 11 })).toBe(5_028_866);
    expect(count('paper-maze-hard-att', { seqLen: 900, vocabSize: 6 })).toBe(6_822_914);
    expect(count('paper-arc-agi-1-att', { seqLen: 900, vocabSize: 12 })).toBe(6_829_058);
    expect(swigluWidth(512, 4, 256)).toBe(1536);
    expect(modelDims(getPreset('paper-sudoku-extreme-mlp').model, { seqLen: 81, vocabSize: 11, numPuzzleIds: 1 }).interT).toBe(512);
  });

  it('names the field and the reason for impossible settings', () => {
    const cfg = getPreset('maze');
    cfg.model.heads = 5;
    expect(() => validateConfig(cfg)).toThrow(ConfigError);
    expect(configIssues(cfg)).toContainEqual({ field: 'model.heads', message: 'hidden size 64 is not divisible by 5 heads' });
    const mlp = getPreset('sudoku-4x4');
    expect(configIssues(mlp, { seqLen: 900, vocabSize: 12, numPuzzleIds: 1 }).map((i) => i.field)).toContain('model.variant');
    const arc = getPreset('arc-procedural');
    if (arc.data.kind !== 'arc-procedural') throw new Error('unexpected');
    arc.data.canvas = 5;
    expect(configIssues(arc)).toContainEqual({ field: 'data.canvas', message: 'canvas 5 is too small for grids up to 5 per side plus the EOS row/column (needs ≥ 6)' });
    const bad = getPreset('sudoku-4x4');
    bad.optim.lr = -1;
    bad.model.puzzleEmbDim = 1000;
    expect(configIssues(bad).map((i) => i.field)).toEqual(['model.puzzleEmbDim', 'optim.lr']);
  });

  it('puzzleEmbLen 0 means ceil(puzzleEmbDim / hidden) prefix positions, none without an embedding', () => {
    const data = { seqLen: 16, vocabSize: 6, numPuzzleIds: 1 };
    const m = { ...getPreset('sudoku-4x4').model, hidden: 64, puzzleEmbLen: 0 };
    expect([65, 64, 0].map((puzzleEmbDim) => modelDims({ ...m, puzzleEmbDim }, data).prefix)).toEqual([2, 1, 0]);
    expect(prefixLength({ hidden: 64, puzzleEmbLen: 3, puzzleEmbDim: 0 })).toBe(3);
    const cfg = getPreset('sudoku-4x4');
    Object.assign(cfg.model, { puzzleEmbLen: 0, puzzleEmbDim: 0 });
    expect(configIssues(cfg, data)).toEqual([]);
    Object.assign(cfg.model, { hidden: 1, puzzleEmbDim: 65 });
    expect(configIssues(cfg)).toContainEqual({ field: 'model.puzzleEmbDim', message: '65 needs 65 prefix positions at hidden 1 (puzzleEmbLen 0), more than 64' });
  });

  it('learned positions add a [prefix + L, D] table, initialised like the token embedding', () => {
    const m = { ...getPreset('maze').model, posEncoding: 'learned' as const, hidden: 16, heads: 4, puzzleEmbLen: 2 };
    const shapes = parameterShapes(m, { seqLen: 25, vocabSize: 6, numPuzzleIds: 1 });
    expect(shapes.find((s) => s.name === NAMES.embedPos)?.shape).toEqual([27, 16]);
    expect(parameterShapes({ ...m, posEncoding: 'rope' }, { seqLen: 25, vocabSize: 6, numPuzzleIds: 1 }).some((s) => s.name === NAMES.embedPos)).toBe(false);
    const init = parameterSpecs(m, { seqLen: 25, vocabSize: 6, numPuzzleIds: 1 }, 0).find((s) => s.name === NAMES.embedPos)!.init as Float64Array;
    const std = Math.sqrt(init.reduce((a, v) => a + v * v, 0) / init.length);
    expect(Math.abs(std - 1 / 4)).toBeLessThan(0.03);
  });
});
