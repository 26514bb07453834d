import { describe, expect, it } from 'vitest';
import { ConfigError, configIssues, swigluWidth, validateConfig } from '../../src/trm/config';
import { PRESET_NAMES, getPreset } from '../../src/trm/presets';
import { modelDims, parameterSpecs } from '../../src/trm/params';

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
});
