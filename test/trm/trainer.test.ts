import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import type { Engine } from '../../src/engine/engine';
import { sudokuSource } from '../../src/data/sudoku-source';
import { parseCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src/io/checkpoint';
import { getPreset } from '../../src/trm/presets';
import type { TrainConfig } from '../../src/trm/config';
import { Trainer } from '../../src/trm/trainer';
import { GpuEngine } from '../../src/gpu/engine';
import { cpu, gpuEngine, relError } from '../helpers/engines';

/** A TRM small enough for the software adapter: 4×4 Sudoku with 3 blanks, D = 16. */
function tinyConfig(): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, T: 2, n: 1, nSup: 2, expansion: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 16, lr: 1e-2, warmupSteps: 5, ema: 0.8 };
  cfg.data = { kind: 'sudoku', size: 4, difficulty: 3 / 16, trainPuzzles: 200, testPuzzles: 64, augment: true };
  return cfg;
}

function source(cfg: TrainConfig) {
  if (cfg.data.kind !== 'sudoku') throw new Error('sudoku config expected');
  return sudokuSource({ ...cfg.data, seed: cfg.seed });
}

/** The GPU trainer (software adapter, either kernel set) against the CPU twin: losses and weights after `steps`. */
async function sameAsCpu(softwareKernels: boolean, cfg: TrainConfig, steps: number): Promise<void> {
  const e = new GpuEngine((await gpuEngine()).handle, { softwareKernels });
  const run = async (eng: Engine) => {
    const tr = new Trainer(eng, cfg, source(cfg));
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const m = (await tr.trainStep(true))!;
      expect(m.continueLoss !== undefined).toBe(cfg.model.actContinue);
      losses.push(m.loss);
    }
    const weights = await eng.read(tr.arena.data);
    tr.release();
    return { losses, weights };
  };
  const [g, c] = [await run(e), await run(cpu)];
  for (let i = 0; i < g.losses.length; i++) expect(Math.abs(g.losses[i] - c.losses[i]) / c.losses[i]).toBeLessThan(1e-4);
  expect(relError(g.weights, c.weights)).toBeLessThan(1e-4);
}

describe('TRM trainer', () => {
  // The software adapter runs its own kernel choices (barrier-free matmul, one-thread RMSNorm, SwiGLU
  // materialized); `softwareKernels: false` makes it run what a GPU runs (tiled and split-K matmuls with SwiGLU
  // gated on load, workgroup-tree RMSNorm), so both sets meet the CPU twin in a whole training step.
  describe.each([
    ['software-adapter kernels', true],
    ['GPU kernels', false],
  ])('on the %s', (_, softwareKernels) => {
    it.each(['mlp', 'attention'] as const)('the %s trainer computes the same losses and weights as the CPU twin for its first steps', async (variant) => {
      const cfg = tinyConfig();
      cfg.model = { ...cfg.model, variant, posEncoding: variant === 'attention' ? 'rope' : 'none', heads: 2 };
      await sameAsCpu(softwareKernels, cfg, 4);
    });
  });

  // The reference's other options together: learned positions, puzzle_emb_len 0 (ceil(24 / 16) = 2 prefix
  // positions) and no_ACT_continue false (the q_continue loss, its extra forward pass, halting against q_continue
  // in the second step). Their kernels (embedding with positions, column, continue_target) are the same in both
  // kernel sets, so the software adapter's set suffices; its first step compiles every pipeline (about a minute
  // on two busy cores), hence the longer limit.
  it('with learned positions, puzzle_emb_len 0 and q_continue, the GPU trainer computes the same losses and weights as the CPU twin', async () => {
    const cfg = tinyConfig();
    cfg.model = { ...cfg.model, variant: 'attention', heads: 2, posEncoding: 'learned', puzzleEmbLen: 0, puzzleEmbDim: 24, actContinue: true };
    cfg.optim.batchSize = 8;
    await sameAsCpu(true, cfg, 2);
  }, 300_000);

  it('on real WebGPU, loss falls and held-out exact accuracy rises far above chance in a short run', async () => {
    const e = await gpuEngine();
    const cfg = tinyConfig();
    const src = source(cfg);
    const tr = new Trainer(e, cfg, src);
    const before = await tr.evaluate(src.evalExamples());
    const first: number[] = [], last: number[] = [];
    for (let s = 0; s < 120; s++) {
      const m = await tr.trainStep(true)!;
      if (s < 5) first.push(m!.loss);
      if (s >= 115) last.push(m!.loss);
    }
    const after = await tr.evaluate(src.evalExamples());
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`[trainer] loss ${mean(first).toFixed(3)} → ${mean(last).toFixed(3)}; held-out exact ${before.exactAccuracy} → ${after.exactAccuracy} (chance (1/4)^3 = 0.016)`);
    expect(mean(last)).toBeLessThan(0.7 * mean(first));
    expect(after.exactAccuracy).toBeGreaterThan(0.2);
    tr.release();
  });

  // The budget the fusions buy (249 before them on the software-adapter kernels, 275 on a GPU's): matmuls add
  // dA/dB into gradients that already exist (the weights shared by the recorded net calls, residual branches,
  // the parameter arena) and write SwiGLU's input gradient in their epilogue; the GPU kernels also gate SwiGLU
  // as they load (no forward dispatch) but sum 26 split-K partials. A new dispatch per step should be a
  // decision, not a surprise.
  it.each([
    ['software-adapter', 198, true],
    ['GPU', 200, false],
  ])('a sudoku-4x4 training step on the %s kernels is %i dispatches in one submit', async (_, budget, softwareKernels) => {
    const e = new GpuEngine((await gpuEngine()).handle, { softwareKernels });
    const cfg = getPreset('sudoku-4x4');
    const tr = new Trainer(e, cfg, source(cfg));
    tr.trainStep(false);
    await e.sync();
    const before = e.stats();
    tr.trainStep(false);
    const after = e.stats();
    await e.sync();
    tr.release();
    expect([after.dispatches - before.dispatches, after.submits - before.submits]).toEqual([budget, 1]);
  });

  it('T−1 recursion cycles run without a tape: the recorded graph does not grow with T', () => {
    const counts = [1, 3].map((T) => {
      const cfg = tinyConfig();
      cfg.model.T = T;
      const tr = new Trainer(cpu, cfg, source(cfg));
      const tape = new Tape(cpu);
      for (const p of tr.arena.params.values()) tape.watch(p);
      const n = cpu.scope(() => {
        tr.model.step(tape, tr.arena.params, tr.buffers, tr.carry);
        return tape.length;
      });
      tr.release();
      return n;
    });
    expect(counts[1]).toBe(counts[0]);
    expect(counts[0]).toBeGreaterThan(10);
  });

  it('a checkpoint restores weights, optimizer state and step exactly', async () => {
    const cfg = tinyConfig();
    const a = new Trainer(cpu, cfg, source(cfg));
    for (let s = 0; s < 3; s++) await a.trainStep(true);
    const bytes = await saveCheckpoint(a);
    const b = new Trainer(cpu, cfg, source(cfg));
    restoreCheckpoint(b, parseCheckpoint(bytes));
    expect(b.step).toBe(3);
    expect(Array.from(b.arena.data.f64)).toEqual(Array.from(Float64Array.from(Float32Array.from(a.arena.data.f64))));
    const ea = await a.evaluate(source(cfg).evalExamples().slice(0, 8));
    const eb = await b.evaluate(source(cfg).evalExamples().slice(0, 8));
    expect(eb.exactByStep).toEqual(ea.exactByStep);
    expect(() => parseCheckpoint(bytes.subarray(0, 100), 'cut.safetensors')).toThrow(/cut\.safetensors/);
  });
});

it('evaluates a single example (batch of one) like a batch', async () => {
  const cfg = tinyConfig();
  const src = source(cfg);
  const tr = new Trainer(cpu, cfg, src);
  const one = await tr.evaluate(src.evalExamples().slice(0, 1));
  expect(one.examples).toBe(1);
  tr.release();
});
