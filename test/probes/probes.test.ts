import { describe, expect, it, vi } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import type { Example } from '../../src/data/dataset';
import type { Engine } from '../../src/engine/engine';
import { actRefill, createCarry, releaseCarry } from '../../src/ops/act';
import { accuracyByStep } from '../../src/probes/accuracy-by-step';
import { answerChanges } from '../../src/probes/answer-changes';
import { latentTrajectory } from '../../src/probes/latent-trajectory';
import { taskAblation } from '../../src/probes/task-ablation';
import { scoredExamples } from '../../src/trm/evaluate';
import { captureTrace } from '../../src/trm/trace';
import { cpu, gpuEngine, randn } from '../helpers/engines';
import { randomTrainer, tinyArc, tinySudoku } from './models';

const sudoku = (e: Engine = cpu) => randomTrainer(e, tinySudoku());

describe('accuracy by step', () => {
  it('is the evaluation the CLI runs, step by step, with the halting steps of every puzzle', async () => {
    const { trainer, source } = sudoku();
    const { examples } = scoredExamples(source, 10);
    const r = await accuracyByStep(trainer, examples);
    const ev = await trainer.evaluate(examples);
    expect(r).toMatchObject({ examples: 10, nSup: 3, exactByStep: ev.exactByStep, meanHaltStep: ev.meanHaltStep });
    expect(r.tokenByStep[2]).toBe(ev.tokenAccuracy);
    expect(r.haltCounts.reduce((a, b) => a + b, 0)).toBe(10);
    expect(r.haltCounts.reduce((a, c, s) => a + c * (s + 1), 0) / 10).toBeCloseTo(r.meanHaltStep, 12);
    // q_head starts at (0, −5): an untrained model never says halt, so every puzzle counts at N_sup.
    expect(r.haltCounts).toEqual([0, 0, 10]);
    expect(r.fixed + r.broken).toBeLessThanOrEqual(10);
    trainer.release();
  });
});

describe('where the answer changed', () => {
  it('gives per cell the last step its answer changed and whether it ends right, as the recursion viewer decodes it', async () => {
    const { trainer, source } = sudoku();
    const ex = source.evalExamples()[0];
    const r = await answerChanges(trainer, ex);
    const trace = await captureTrace(trainer, ex);
    const answers = [1, 2, 3].map((s) => trace.frames.filter((f) => f.supStep === s && f.kind === 'y').at(-1)!.tokens);
    expect(r.final).toEqual(Array.from(answers[2]));
    for (let i = 0; i < 16; i++) {
      const changedAt = [2, 3].filter((s) => answers[s - 1][i] !== answers[s - 2][i]);
      expect(r.changes[i]).toBe(changedAt.length);
      expect(r.lastChange[i]).toBe(changedAt.at(-1) ?? 1);
      expect(r.correct[i]).toBe(answers[2][i] === ex.labels[i]);
    }
    // Whole-answer correctness per step agrees with the evaluation's exact-by-step on this one puzzle.
    const ev = await trainer.evaluate([ex]);
    expect(r.exactByStep).toEqual(ev.exactByStep.map((v) => v === 1));
    expect(r.haltProb).toEqual(trace.steps.map((s) => s.haltProb));
    trainer.release();
  });

  it('marks cells without a target as null', async () => {
    const { trainer, source } = sudoku();
    const ex = source.evalExamples()[0];
    const labels = ex.labels.slice();
    labels.fill(-100, 0, 4);
    const r = await answerChanges(trainer, { ...ex, labels });
    expect(r.correct.slice(0, 4)).toEqual([null, null, null, null]);
    expect(r.correct.slice(4).every((c) => typeof c === 'boolean')).toBe(true);
    trainer.release();
  });
});

describe('latent trajectory', () => {
  it('measures every z and y update of every cycle and step, the same on WebGPU as on the CPU twin', async () => {
    const runs = [];
    for (const e of [cpu, await gpuEngine()]) {
      const { trainer, source } = sudoku(e);
      runs.push(await latentTrajectory(trainer, source.evalExamples()[1]));
      trainer.release();
    }
    const [c, g] = runs;
    // N_sup × T × (n + 1) points: n z-updates then one y-update per cycle, numbered as the viewer numbers them.
    expect(c.points.length).toBe(3 * 2 * 3);
    expect(c.points.slice(0, 3).map((p) => [p.supStep, p.cycle, p.update, p.kind])).toEqual([[1, 1, 1, 'z'], [1, 1, 2, 'z'], [1, 1, 3, 'y']]);
    expect(g.points.map((p) => [p.supStep, p.cycle, p.update, p.kind])).toEqual(c.points.map((p) => [p.supStep, p.cycle, p.update, p.kind]));
    for (const p of c.points) expect(p.delta).toBeGreaterThan(0);
    // f32 on the GPU against float64: relative agreement per point.
    c.points.forEach((p, i) => expect(Math.abs(g.points[i].delta - p.delta) / p.delta).toBeLessThan(1e-3));
  });

  it('reads the states themselves: the first update of y moves it from y_init by exactly ‖y₁ − y_init‖', async () => {
    const { trainer, source } = sudoku();
    const ex = source.evalExamples()[0];
    const r = await latentTrajectory(trainer, ex);
    // Independently, on the CPU twin's own arrays: the states before and after the first answer update.
    const e = cpu, S = trainer.model.dims.positions;
    const c = createCarry(e, 1, 16, S, trainer.cfg.model.hidden);
    e.scope(() => actRefill(e, c, { inputs: e.fromArray(ex.inputs, [1, 16], 'i32'), labels: e.fromArray(ex.labels, [1, 16], 'i32'), puzzleIds: e.fromArray([ex.puzzleId], [1], 'i32') }, trainer.buffers.yInit, trainer.buffers.zInit));
    const y0 = Float64Array.from(c.y.f64);
    let y1: Float64Array | null = null;
    const tape = new Tape(e);
    tape.noGrad(() => trainer.model.step(tape, trainer.evalWeights(), trainer.buffers, c, (ev) => void (ev.kind === 'y' && (y1 ??= Float64Array.from(ev.value.f64)))));
    expect(r.points.find((p) => p.kind === 'y')!.delta).toBeCloseTo(Math.hypot(...y1!.map((v, i) => v - y0[i])), 10);
    releaseCarry(e, c);
    trainer.release();
  });
});

describe('task identity ablation', () => {
  it('says why it does not apply to a model with one shared identifier or no puzzle embedding', async () => {
    const { trainer, source } = sudoku();
    const examples = scoredExamples(source, 4).examples;
    const one = await taskAblation(trainer, examples);
    expect(one).toEqual({ applicable: false, reason: expect.stringMatching(/single puzzle identifier.*no task identity to blank or swap/) });
    trainer.release();
    const cfg = tinySudoku();
    cfg.model.puzzleEmbDim = 0;
    const none = randomTrainer(cpu, cfg);
    expect(await taskAblation(none.trainer, examples)).toEqual({ applicable: false, reason: expect.stringMatching(/no puzzle embedding \(model\.puzzleEmbDim = 0\)/) });
    none.trainer.release();
  });

  it('scores an ARC-style model as trained, with its rows blanked (id 0) and swapped for another task\'s rows', async () => {
    const { trainer, source } = randomTrainer(cpu, tinyArc());
    // Rows of their own, so that which row a puzzle reads matters.
    const table = trainer.buffers.puzzleEmb!;
    cpu.write(table, randn(table.size, 7));
    const { examples, arc } = scoredExamples(source, 12);
    const taskOf = (i: number) => arc!.items[i].taskId;
    expect(new Set(examples.map((_, i) => taskOf(i))).size).toBeGreaterThan(1);
    const seen: Example[][] = [];
    const evaluate = trainer.evaluate.bind(trainer);
    vi.spyOn(trainer, 'evaluate').mockImplementation((exs, opts) => (seen.push([...exs]), evaluate(exs, opts)));
    const r = await taskAblation(trainer, examples, taskOf);
    if (!r.applicable) throw new Error(r.reason);
    expect(r.scores.map((s) => s.condition)).toEqual(['as trained', 'blank', 'swapped']);
    const [asTrained, blank, swapped] = seen;
    expect(asTrained.map((x) => x.puzzleId)).toEqual(examples.map((x) => x.puzzleId));
    expect(blank.every((x) => x.puzzleId === 0)).toBe(true);
    // Each puzzle reads a row that belongs to another task among the scored ones; inputs and targets are unchanged.
    const taskOfId = new Map(examples.map((x, i) => [x.puzzleId, taskOf(i)]));
    swapped.forEach((x, i) => {
      expect(taskOfId.has(x.puzzleId)).toBe(true);
      expect(taskOfId.get(x.puzzleId)).not.toBe(taskOf(i));
      expect(x.inputs).toBe(examples[i].inputs);
    });
    const base = await evaluate(examples);
    expect(r.scores[0]).toEqual({ condition: 'as trained', exactAccuracy: base.exactAccuracy, tokenAccuracy: base.tokenAccuracy, exactByStep: base.exactByStep });
    // The rows differ, so the answers do: blanking changes what the model predicts.
    expect(r.scores[1].tokenAccuracy).not.toBe(r.scores[0].tokenAccuracy);
    trainer.release();
  });

  it('says so when the puzzles come from a single task, rather than swapping a task for itself', async () => {
    const { trainer, source } = randomTrainer(cpu, tinyArc());
    const { examples, arc } = scoredExamples(source, 12);
    const first = arc!.items[0].taskId;
    const one = examples.filter((_, i) => arc!.items[i].taskId === first);
    const r = await taskAblation(trainer, one, () => first);
    if (!r.applicable) throw new Error(r.reason);
    expect(r.scores.map((s) => s.condition)).toEqual(['as trained', 'blank']);
    expect(r.notes).toEqual([expect.stringMatching(/^swapped: all \d+ puzzles come from one task/)]);
    trainer.release();
  });
});
