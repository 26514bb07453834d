import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import type { Engine } from '../../src/engine/engine';
import { lecunLinear, mulberry32 } from '../../src/nn/init';
import { ParamArena } from '../../src/nn/arena';
import { fill } from '../../src/ops/elementwise';
import { Adam, Ema } from '../../src/ops/optim';
import { sumForward } from '../../src/ops/reduce';
import type { ModelConfig } from '../../src/trm/config';
import { block } from '../../src/trm/net';
import { modelDims, parameterSpecs } from '../../src/trm/params';
import { cpu, gpuEngine, parity, randn } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

const base: ModelConfig = {
  variant: 'attention', hidden: 8, layers: 1, heads: 2, expansion: 2, swigluMultiple: 4, T: 1, n: 1, nSup: 1,
  haltExplorationProb: 0, puzzleEmbLen: 1, puzzleEmbDim: 0, posEncoding: 'rope', ropeBase: 10000, rmsEps: 1e-5, actContinue: false,
};
const variants: ModelConfig[] = [base, { ...base, variant: 'mlp', posEncoding: 'none' }];
const data = { seqLen: 4, vocabSize: 5, numPuzzleIds: 1 };

/** The block's weights (layer 0) with their reference names and shapes. */
function layerSpecs(m: ModelConfig) {
  return parameterSpecs(m, data, 3).filter((s) => s.name.startsWith('inner.L_level.layers.0.'));
}

describe.each(variants)('post-norm block ($variant)', (m) => {
  const dims = modelDims(m, data);
  const B = 2, S = dims.positions, D = m.hidden;
  const specs = layerSpecs(m);

  it('gradients w.r.t. input and every weight match finite differences (float64)', () => {
    const err = gradCheck(
      (tape, [h, ...ws]) => block(tape, m, dims, new Map(specs.map((s, i) => [s.name, ws[i]])), 0, h),
      [{ data: randn(B * S * D, 1), shape: [B, S, D] }, ...specs.map((s) => ({ data: s.init, shape: s.shape }))],
      { samples: 12 },
    );
    expect(err).toBeLessThan(1e-6);
  });

  it('GPU forward and backward equal the CPU twin (tol 2e-5)', async () => {
    const e = await gpuEngine();
    const run = async (eng: Engine) => {
      const tape = new Tape(eng);
      const h = tape.watch(eng.fromArray(Float32Array.from(randn(B * S * D, 2)), [B, S, D]));
      const ws = new Map(specs.map((s) => [s.name, tape.watch(eng.fromArray(Float32Array.from(s.init), s.shape))]));
      const out = block(tape, m, dims, ws, 0, h);
      const g = tape.backward(out, eng.fromArray(Float32Array.from(randn(out.size, 4)), out.shape));
      return { out, gh: g.get(h)!, gw: specs.map((s) => g.get(ws.get(s.name)!)!) };
    };
    const [gr, cr] = [await run(e), await run(cpu)];
    await parity(`block.${m.variant}`, 'forward', gr.out, cr.out, 2e-5);
    await parity(`block.${m.variant}`, 'dh', gr.gh, cr.gh, 2e-5);
    for (let i = 0; i < specs.length; i++) await parity(`block.${m.variant}`, `d ${specs[i].name}`, gr.gw[i], cr.gw[i], 2e-5);
  });
});

describe('memory', () => {
  it('200 forward/backward/optimizer iterations of a block allocate nothing after warm-up', async () => {
    const e = await gpuEngine();
    const m = base;
    const dims = modelDims(m, data);
    const B = 2, S = dims.positions, D = m.hidden;
    const rand = mulberry32(5);
    const arena = new ParamArena(e, layerSpecs(m).map((s) => ({ ...s, init: lecunLinear(s.shape[0], s.shape[1], rand) })));
    const adam = new Adam(e, arena.total, { kind: 'adam-atan2', weightDecay: 0.1 });
    const ema = new Ema(e, arena.data, 0.99);
    const targets = arena.gradTargets();
    const h0 = e.keep(e.fromArray(Float32Array.from(randn(B * S * D, 9)), [B, S, D]));
    const seed = e.keep(e.fromArray(Float32Array.from(randn(B * S * D, 10)), [B, S, D]));
    const reads: Promise<ArrayLike<number>>[] = [];
    const counts: { live: number; created: number }[] = [];
    for (let it = 0; it < 200; it++) {
      e.scope(() => {
        const tape = new Tape(e);
        for (const p of arena.params.values()) tape.watch(p);
        fill(e, arena.grad, 0);
        const out = block(tape, m, dims, arena.params, 0, h0);
        if (it % 50 === 0) reads.push(e.read(sumForward(e, out)));
        tape.backward(out, seed, targets);
        adam.step(arena.data, arena.grad, 1e-2);
        ema.update(arena.data);
      });
      e.flush();
      const st = e.stats();
      counts.push({ live: st.liveTensors, created: st.buffersCreated });
      if (it % 20 === 0) await e.sync();
    }
    await e.sync();
    const warm = counts[2];
    for (const c of counts.slice(2)) expect(c).toEqual(warm);
    // The optimizer really moved the block: Σ out·seed fell (the seed defines the objective's gradient).
    const sums = await Promise.all(reads);
    expect(sums.length).toBe(4);
    expect(new Set(sums.map((s) => s[0])).size).toBe(4);
  });
});
