import { describe, expect, it } from 'vitest';
import { generateTasks } from '../../src/data/procedural';
import { IGNORE_LABEL, type Example } from '../../src/data/dataset';
import { fromRows, toRows, type ArcTask } from '../../src/data/grid';
import { createSource } from '../../src/data/sources';
import type { TrainConfig } from '../../src/trm/config';
import { getPreset } from '../../src/trm/presets';
import { Trainer, type EvalResult } from '../../src/trm/trainer';
import { voteOnTask } from '../../src/worker/adapt';
import { cpu } from '../helpers/engines';

const AUGMENTATIONS = 8;

function arcConfig(): TrainConfig {
  const cfg = getPreset('arc-procedural');
  if (cfg.data.kind !== 'arc-procedural') throw new Error('arc-procedural preset expected');
  cfg.data = { ...cfg.data, tasks: 10, canvas: 6, augmentations: AUGMENTATIONS, translate: false };
  cfg.model = { ...cfg.model, hidden: 16, heads: 2, puzzleEmbDim: 16, puzzleEmbLen: 1, T: 1, n: 1, nSup: 1, expansion: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 4 };
  return cfg;
}

/** A task with no symmetry, so every augmentation makes a distinct version. */
const TASK: ArcTask = {
  id: 'hand',
  train: [{ input: fromRows([[1, 0], [0, 2]]), output: fromRows([[2, 0], [0, 1]]) }],
  test: [
    { input: fromRows([[3, 4, 5], [0, 0, 6]]), output: fromRows([[6, 0, 0], [5, 4, 3]]) },
    { input: fromRows([[7, 1]]), output: fromRows([[8], [8], [2]]) },
  ],
};

/**
 * A stand-in for the model: voteOnTask reads only its config, its sequence length and evaluate(). `answer` gives
 * the predicted canvas of the k-th example (a test input in one augmented version), and its σ(q_halt) is 0.5 + k/100.
 */
function fakeModel(answer: (ex: Example, k: number) => ArrayLike<number>, cfg = arcConfig(), seqLen = 36) {
  const seen: Example[][] = [];
  const model = {
    cfg,
    data: { info: { seqLen } },
    async evaluate(examples: readonly Example[], opts: { predictions?: boolean }): Promise<EvalResult> {
      expect(opts.predictions).toBe(true);
      seen.push([...examples]);
      const predictions = new Int32Array(examples.length * seqLen);
      examples.forEach((ex, k) => predictions.set(answer(ex, k), k * seqLen));
      const confidence = Float64Array.from(examples, (_, k) => 0.5 + k / 100);
      return { examples: examples.length, exactAccuracy: 0, tokenAccuracy: 0, exactByStep: [0], meanHaltStep: 1, predictions, confidence };
    },
  };
  return { model: model as unknown as Trainer, seen };
}

/** The right answer in the example's own (augmented) frame: its labels, with the unsupervised PAD cells put back. */
const truth = (ex: Example) => ex.labels.map((l) => (l === IGNORE_LABEL ? 0 : l));

let exclusiveCalls = 0;
const exclusive = <T>(fn: () => Promise<T>) => {
  exclusiveCalls++;
  return fn();
};

describe('ARC voting over augmented versions (voteOnTask)', () => {
  it('a model right in every version: each test output, mapped back, wins with every vote', async () => {
    const { model, seen } = fakeModel(truth);
    exclusiveCalls = 0;
    const sol = await voteOnTask(model, TASK, false, exclusive);
    expect(exclusiveCalls).toBe(1);
    expect(sol.versions).toBe(AUGMENTATIONS + 1);
    expect(seen[0].length).toBe(TASK.test.length * sol.versions);
    expect(sol.candidates.length).toBe(2);
    sol.candidates.forEach((c, i) => {
      expect(c.length).toBe(1); // one grid got all the votes
      expect(c[0].grid).toEqual(toRows(TASK.test[i].output!));
      expect(c[0].votes).toBe(sol.versions);
    });
    // Each version reads its own puzzle embedding row (a model adapted to the task): distinct ids, none blank.
    const ids = seen[0].filter((_, k) => k % 2 === 0).map((ex) => ex.puzzleId);
    expect(new Set(ids).size).toBe(sol.versions);
    expect(ids.every((id) => id > 0)).toBe(true);
  });

  it('blank: every version reads the blank puzzle embedding (row 0)', async () => {
    const { model, seen } = fakeModel(truth);
    const sol = await voteOnTask(model, TASK, true, exclusive);
    expect(seen[0].map((ex) => ex.puzzleId)).toEqual(new Array(TASK.test.length * sol.versions).fill(0));
    expect(sol.candidates[0][0].grid).toEqual(toRows(TASK.test[0].output!));
  });

  it('split votes: two candidates, ranked by votes, each with the mean confidence of its voters', async () => {
    // Versions 0, 3, 6 (examples 2v + i) echo the test input; the others answer right.
    const echo = (k: number) => Math.floor(k / 2) % 3 === 0;
    const { model } = fakeModel((ex, k) => (echo(k) ? ex.inputs : truth(ex)));
    const sol = await voteOnTask(model, TASK, false, exclusive);
    expect(sol.versions).toBe(9);
    sol.candidates.forEach((c, i) => {
      expect(c.map((x) => x.grid)).toEqual([toRows(TASK.test[i].output!), toRows(TASK.test[i].input)]);
      expect(c.map((x) => x.votes)).toEqual([6, 3]);
      const conf = (ks: number[]) => ks.reduce((s, k) => s + 0.5 + k / 100, 0) / ks.length;
      const examplesOf = (pred: (v: number) => boolean) => Array.from({ length: 9 }, (_, v) => v).filter(pred).map((v) => 2 * v + i);
      expect(c[0].confidence).toBeCloseTo(conf(examplesOf((v) => v % 3 !== 0)), 12);
      expect(c[1].confidence).toBeCloseTo(conf(examplesOf((v) => v % 3 === 0)), 12);
    });
    // Now most versions echo the input: it ranks first.
    const flipped = fakeModel((ex, k) => (echo(k) ? truth(ex) : ex.inputs));
    const sol2 = await voteOnTask(flipped.model, TASK, false, exclusive);
    expect(sol2.candidates[0].map((x) => x.grid)).toEqual([toRows(TASK.test[0].input), toRows(TASK.test[0].output!)]);
  });

  it('at most two candidates (pass@2) however the votes split', async () => {
    // Each version v writes colour v (mod 9) into the top-left cell of its canvas: the votes split over several grids.
    const { model } = fakeModel((ex, k) => {
      const c = truth(ex);
      c[0] = 2 + (Math.floor(k / 2) % 9);
      return c;
    });
    const sol = await voteOnTask(model, TASK, false, exclusive);
    for (const c of sol.candidates) {
      expect(c.length).toBe(2);
      expect(c.every((x) => x.votes >= 1)).toBe(true);
      expect(c[0].votes).toBeGreaterThanOrEqual(c[1].votes);
    }
  });

  it('says why it cannot vote: a model not trained on ARC grids, a task without test inputs, a task of another canvas', async () => {
    const sudoku = getPreset('sudoku-4x4');
    await expect(voteOnTask(fakeModel(truth, sudoku).model, TASK, true, exclusive)).rejects.toThrow(/trained on sudoku, not ARC grids/);
    await expect(voteOnTask(fakeModel(truth).model, { ...TASK, test: [] }, true, exclusive)).rejects.toThrow(/task hand has no test input/);
    await expect(voteOnTask(fakeModel(truth, arcConfig(), 100).model, TASK, true, exclusive)).rejects.toThrow(/encodes to 36 tokens; the model reads 100/);
  });

  it('with a real (untrained) model on the CPU engine: up to two voted grids per test input, from all versions', async () => {
    const cfg = arcConfig();
    const tr = new Trainer(cpu, cfg, createSource(cfg.data, cfg.seed));
    try {
      const task = generateTasks(1, { seed: 99, maxSide: 5, difficulty: 0.2 })[0];
      const sol = await voteOnTask(tr, task, true, exclusive);
      expect(sol.versions).toBeGreaterThanOrEqual(1);
      expect(sol.versions).toBeLessThanOrEqual(AUGMENTATIONS + 1);
      expect(sol.candidates.length).toBe(task.test.length);
      for (const c of sol.candidates) {
        expect(c.length).toBeGreaterThanOrEqual(1);
        expect(c.length).toBeLessThanOrEqual(2);
        expect(c.reduce((s, x) => s + x.votes, 0)).toBeLessThanOrEqual(sol.versions);
        for (const x of c) {
          expect(x.confidence > 0 && x.confidence < 1).toBe(true);
          for (const row of x.grid) for (const v of row) expect(v >= 0 && v <= 9).toBe(true);
        }
      }
    } finally {
      tr.release();
    }
  });
});
