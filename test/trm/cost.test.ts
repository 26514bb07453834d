import { describe, expect, it } from 'vitest';
import type { DataShape, ModelConfig, TrainConfig } from '../../src/trm/config';
import { runCost, stepCost } from '../../src/trm/cost';
import { getPreset } from '../../src/trm/presets';

// Small enough to count by hand: 4 answer tokens + 1 prefix position (S = 5), D = 8, one layer, batch 2, so
// R = B·S = 10 rows; SwiGLU widths ceil(round(4·8·2/3) / 8)·8 = 24 (channel) and ceil(round(4·5·2/3) / 8)·8 = 16 (tokens).
const data: DataShape = { seqLen: 4, vocabSize: 6, numPuzzleIds: 1 };

function config(model: Partial<ModelConfig>): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 8, layers: 1, heads: 2, expansion: 4, swigluMultiple: 8, puzzleEmbLen: 1, actContinue: false, ...model };
  cfg.optim = { ...cfg.optim, batchSize: 2 };
  return cfg;
}

describe('training cost in FLOPs', () => {
  it('counts an MLP-mixer step by hand', () => {
    const cfg = config({ variant: 'mlp', T: 2, n: 2, puzzleEmbDim: 8 });
    // One net call: token mixer 2·B·D·S·2·16 + 2·B·D·16·S = 5120 + 2560; channel SwiGLU 2·R·D·48 + 2·R·24·D = 7680 + 3840.
    const net = 7680 + 11520;
    // lm_head 2·B·L·D·V = 768, the halt row of q_head 2·B·D = 32; embedding scale B·S·D = 80.
    const heads = 800, embed = 80;
    // Parameters: embed 48, lm_head 48, q_head 16 + 2, token mixer 160 + 80, channel SwiGLU 384 + 192 = 930.
    const optimizer = 20 * 930 + 4 * 2 * 8;
    expect(stepCost(cfg, data)).toEqual({
      forward: 2 * 3 * net + heads + embed,
      backward: 3 * 2 * net + 2 * heads + embed,
      optimizer,
      total: 116080 + 116880 + 18664,
    });
  });

  it('counts an attention step by hand, with the S² terms', () => {
    const cfg = config({ variant: 'attention', T: 1, n: 1, puzzleEmbDim: 0 });
    // qkv 2·R·D·3D = 3840, o_proj 2·R·D·D = 1280, channel SwiGLU 11520; QKᵀ and PV 2·(2·B·S²·D) = 1600.
    const matmul = 3840 + 1280 + 11520, attention = 1600;
    const params = 48 + 48 + 18 + 192 + 64 + 384 + 192;
    const s = stepCost(cfg, data);
    expect(s.forward).toBe(2 * (matmul + attention) + 800 + 80);
    // The fused backward recomputes the scores: 2.5× the forward's S² products, 2× the matmuls.
    expect(s.backward).toBe(2 * (2 * matmul + 2.5 * attention) + 2 * 800 + 80);
    expect(s.optimizer).toBe(20 * params);
    expect(s.total).toBe(37360 + 76240 + 18920);
  });

  it('counts a whole run: its steps and every scheduled evaluation over all N_sup steps', () => {
    const cfg = config({ variant: 'mlp', T: 2, n: 2, nSup: 3, puzzleEmbDim: 8 });
    Object.assign(cfg, { steps: 10, evalEvery: 4, evalSamples: 5 });
    const r = runCost(cfg, data);
    // Evaluations at steps 4 and 8 and at the end; one puzzle's supervision step is half the batch-of-2 forward.
    expect(r.train).toBe(10 * 251624);
    expect(r.eval).toBe(3 * 5 * 3 * (116080 / 2));
    expect(r.total).toBe(r.train + r.eval);
  });

  it('puts the paper presets orders of magnitude above the small ones', () => {
    const flops = (name: Parameters<typeof getPreset>[0], shape: DataShape) => runCost(getPreset(name), shape).total;
    const paper = flops('paper-sudoku-extreme-mlp', { seqLen: 81, vocabSize: 11, numPuzzleIds: 1 });
    const small = flops('sudoku-4x4', { seqLen: 16, vocabSize: 6, numPuzzleIds: 1 });
    expect(paper / small).toBeGreaterThan(1e4);
  });
});
