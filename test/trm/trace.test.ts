import { expect, it } from 'vitest';
import { sudokuSource } from '../../src/data/sudoku-source';
import { getPreset } from '../../src/trm/presets';
import { captureTrace, type RecursionTrace } from '../../src/trm/trace';
import { Trainer } from '../../src/trm/trainer';
import { continuesTrace } from '../../src/ui/viewer/frames';
import { cpu, gpuEngine } from '../helpers/engines';

it('captures every latent and answer update of every cycle and step, identically on GPU and CPU', async () => {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, T: 2, n: 2, nSup: 3 };
  if (cfg.data.kind !== 'sudoku') throw new Error('sudoku preset expected');
  const src = sudokuSource({ ...cfg.data, trainPuzzles: 10, testPuzzles: 2, seed: 0 });
  const ex = src.evalExamples()[0];
  const traces = [];
  for (const e of [cpu, await gpuEngine()]) {
    const tr = new Trainer(e, cfg, src);
    traces.push(await captureTrace(tr, ex));
    tr.release();
  }
  const [c, g] = traces;
  // N_sup × T × (n + 1) frames: n z-updates then one y-update per cycle.
  expect(c.frames.length).toBe(3 * 2 * 3);
  expect(c.frames.slice(0, 3).map((f) => [f.supStep, f.cycle, f.update, f.kind])).toEqual([[1, 1, 1, 'z'], [1, 1, 2, 'z'], [1, 1, 3, 'y']]);
  expect(c.steps.map((s) => s.supStep)).toEqual([1, 2, 3]);
  for (const s of c.steps) expect(s.haltProb).toBeCloseTo(1 / (1 + Math.exp(5)), 6); // q_head starts at (0, −5)
  expect(g.frames.map((f) => Array.from(f.tokens))).toEqual(c.frames.map((f) => Array.from(f.tokens)));
  for (const f of c.frames) for (const p of f.confidence) expect(p > 0 && p <= 1).toBe(true);
});

it('streams the trace: after each supervision step but the last, a snapshot of the frames and steps so far', async () => {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, T: 2, n: 2, nSup: 3 };
  if (cfg.data.kind !== 'sudoku') throw new Error('sudoku preset expected');
  const src = sudokuSource({ ...cfg.data, trainPuzzles: 10, testPuzzles: 2, seed: 0 });
  const ex = src.evalExamples()[0];
  const perStep = 2 * 3; // T × (n + 1)
  for (const e of [cpu, await gpuEngine()]) {
    const tr = new Trainer(e, cfg, src);
    const plain = await captureTrace(tr, ex);
    const partials: RecursionTrace[] = [];
    const streamed = await captureTrace(tr, ex, { onStep: (t) => partials.push(t) });
    tr.release();

    expect(partials.map((p) => p.frames.length)).toEqual([perStep, 2 * perStep]);
    expect(partials.map((p) => p.steps.map((s) => s.supStep))).toEqual([[1], [1, 2]]);
    partials.forEach((p, k) => {
      expect(p.frames.every((f) => f.supStep <= k + 1)).toBe(true);
      expect({ ...p, frames: [], steps: [] }).toEqual({ ...streamed, frames: [], steps: [] }); // seqLen, vocabSize, nSup, T, n
      // A prefix of the final trace, frame object for frame object, with the same step summaries.
      p.frames.forEach((f, i) => expect(f).toBe(streamed.frames[i]));
      expect(p.steps).toEqual(streamed.steps.slice(0, k + 1));
      expect(continuesTrace(p, streamed)).toBe(true);
    });
    expect(continuesTrace(partials[0], partials[1])).toBe(true);

    // The streamed trace is the plain one.
    expect(streamed.frames.length).toBe(3 * perStep);
    expect(streamed.frames.map((f) => [f.supStep, f.cycle, f.update, f.kind])).toEqual(plain.frames.map((f) => [f.supStep, f.cycle, f.update, f.kind]));
    expect(streamed.frames.map((f) => Array.from(f.tokens))).toEqual(plain.frames.map((f) => Array.from(f.tokens)));
    expect(streamed.frames.map((f) => Array.from(f.confidence))).toEqual(plain.frames.map((f) => Array.from(f.confidence)));
    expect(streamed.steps).toEqual(plain.steps);
    expect({ ...streamed, frames: [], steps: [] }).toEqual({ ...plain, frames: [], steps: [] });
  }
});
