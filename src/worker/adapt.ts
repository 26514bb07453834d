import { parseAugmentedName } from '../data/arc-augment';
import type { ArcEvalItem } from '../data/arc-source';
import { arcSource } from '../data/arc-source';
import type { Example } from '../data/dataset';
import { toRows, type ArcTask } from '../data/grid';
import type { DataSource } from '../data/source';
import { VoteBook } from '../data/voting';
import { copyInto } from '../ops/elementwise';
import type { Tensor } from '../engine/tensor';
import { versionExamples, type TaskVersion } from '../io/reference-identifiers';
import { Trainer } from '../trm/trainer';
import { LiveTrainer } from './live-trainer';
import type { ArcSolution, TaskRows } from './protocol';

export interface AdaptResult extends ArcSolution {
  trainer: LiveTrainer;
  /** Puzzle id of the task's un-augmented version in the adapted model. */
  puzzleId: number;
}

export interface AdaptHooks {
  /** Runs one unit of engine work exclusively (the training loop shares the engine). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  progress(step: number, steps: number, loss: number): void;
  /** Lets the worker handle messages between steps. */
  yieldNow(): Promise<void>;
  cancelled(): boolean;
}

/** The model's ARC data config, once it is sure the model reads ARC grids and `task` has a test input to solve. */
function arcData(model: Trainer, task: ArcTask) {
  const d = model.cfg.data;
  if (d.kind !== 'arc' && d.kind !== 'arc-procedural') throw new Error(`this model was trained on ${d.kind}, not ARC grids`);
  if (!task.test.length) throw new Error(`task ${task.id} has no test input to solve`);
  return d;
}

/**
 * A new trainer (`make`) holding `main`'s evaluation weights (its EMA copy when it keeps one) and y/z inits, with
 * a puzzle-embedding table of its own that `fill` may write; released again if any of it fails.
 */
function evalCopy<T extends Trainer>(main: Trainer, make: () => T, fill: (tr: T) => void = () => {}): T {
  const e = main.engine, tr = make();
  try {
    e.scope(() => {
      copyInto(e, tr.arena.data, main.ema?.shadow ?? main.arena.data);
      copyInto(e, tr.buffers.yInit, main.buffers.yInit);
      copyInto(e, tr.buffers.zInit, main.buffers.zInit);
    });
    fill(tr);
    return tr;
  } catch (err) {
    tr.release();
    throw err;
  }
}

/**
 * A new task's augmented versions (dihedral × colour) as the model's data config makes them, each with its own
 * puzzle id; the same task and config always give the same versions and ids.
 */
function taskSource(model: Trainer, task: ArcTask) {
  const cfg = model.cfg, d = arcData(model, task);
  const source = arcSource([], [task], { name: `adapt ${task.id}`, canvas: d.canvas, augmentations: Math.min(d.augmentations, 64), translate: d.translate, seed: cfg.seed });
  if (source.info.seqLen !== model.data.info.seqLen) throw new Error(`task ${task.id} encodes to ${source.info.seqLen} tokens; the model reads ${model.data.info.seqLen}`);
  return source;
}

/**
 * Run `examples` (the test inputs of `task`'s versions, as `items` says), map each prediction back to the original
 * frame and vote as the CLI's evaluation does (VoteBook): up to two candidates per test input, best first (pass@2).
 */
async function vote(model: Trainer, task: ArcTask, examples: Example[], items: readonly ArcEvalItem[], exclusive: AdaptHooks['exclusive']): Promise<ArcSolution> {
  const res = await exclusive(() => model.evaluate(examples, { predictions: true }));
  const book = new VoteBook().addPredictions(items, res.predictions!, res.confidence!, model.data.info.seqLen);
  const candidates = task.test.map((_, i) => book.ranked(task.id, i).slice(0, 2).map((c) => ({ grid: toRows(c.grid), votes: c.count, confidence: c.meanConfidence })));
  return { candidates, versions: examples.length / task.test.length };
}

/**
 * Solve every augmented version of each test input and vote. `blank`: every version reads the blank puzzle
 * embedding (row 0), for a model that has never seen the task; otherwise each version reads its own row (a model
 * adapted to the task).
 */
export async function voteOnTask(model: Trainer, task: ArcTask, blank: boolean, exclusive: AdaptHooks['exclusive']): Promise<ArcSolution> {
  const source = taskSource(model, task);
  const examples = source.evalExamples().map((ex) => (blank ? { ...ex, puzzleId: 0 } : ex));
  return vote(model, task, examples, source.evalItems, exclusive);
}

/**
 * A reference ARC checkpoint on its own versions of a task (identifiers.json): each test input under each
 * version's augmentation with that version's puzzle row, inverted and voted as `eval --identifiers` does. The rows
 * are the model's own, or `rows.embeddings` when its table stayed in the file.
 */
export async function voteOnRows(model: Trainer, task: ArcTask, rows: TaskRows, exclusive: AdaptHooks['exclusive']): Promise<ArcSolution> {
  const d = arcData(model, task), m = model.cfg.model;
  if (m.puzzleEmbDim === 0 || !model.buffers.puzzleEmb) throw new Error('this model has no puzzle embedding, so identifiers.json names no rows of it');
  if (!rows.versions.length) throw new Error(`no version of task ${task.id} to solve`);
  const n = rows.versions.length, held = rows.embeddings ? n : model.data.info.numPuzzleIds;
  const versions: TaskVersion[] = rows.versions.map((v, i) => {
    const row = rows.embeddings ? i : v.row;
    if (!Number.isInteger(row) || row < 0 || row >= held) throw new Error(`version ${v.name}: puzzle row ${v.row} is outside the model's ${held} rows`);
    const { name, aug } = parseAugmentedName(v.name);
    if (name !== task.id) throw new Error(`version ${v.name} is not a version of task ${task.id}`);
    return { name: v.name, aug, row };
  });
  const { examples, evalItems } = versionExamples(task, versions, d.canvas);
  if (!rows.embeddings) return vote(model, task, examples, evalItems, exclusive);
  if (rows.embeddings.length !== n * m.puzzleEmbDim) throw new Error(`${rows.embeddings.length} puzzle-row floats for ${n} versions of width ${m.puzzleEmbDim}`);
  const onRows = await exclusive(async () => withPuzzleRows(model, rows.embeddings!, n));
  try {
    return await vote(onRows, task, examples, evalItems, exclusive);
  } finally {
    await exclusive(async () => onRows.release());
  }
}

/** A copy of `main`'s evaluation weights whose puzzle embedding is `embeddings` ([n, puzzleEmbDim]), to evaluate with. */
function withPuzzleRows(main: Trainer, embeddings: Float32Array, n: number): Trainer {
  const e = main.engine;
  const source: DataSource = {
    info: { ...main.data.info, numPuzzleIds: n },
    trainBatch: () => {
      throw new Error('a model on borrowed puzzle rows only evaluates');
    },
    evalExamples: () => [],
  };
  return evalCopy(main, () => new Trainer(e, { ...main.cfg, optim: { ...main.cfg.optim, ema: 0 } }, source), (tr) => e.write(tr.buffers.puzzleEmb!, embeddings));
}

/**
 * ARC test-time training: a copy of the run's model (its evaluation weights) with a fresh puzzle-embedding table
 * for the new task's augmented versions, trained on the task's demonstration pairs. Only the puzzle embeddings
 * learn unless `wholeNetwork`. Then the adapted model solves the test inputs with voting (voteOnTask).
 */
export async function adaptToTask(main: Trainer, task: ArcTask, steps: number, wholeNetwork: boolean, hooks: AdaptHooks): Promise<AdaptResult> {
  const source = taskSource(main, task);
  if (!task.train.some((p) => p.output)) throw new Error(`task ${task.id} has no demonstration pair with an output to adapt on`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`adapt steps must be a positive integer, got ${steps}`);
  const cfg = main.cfg;
  const acfg = { ...cfg, steps, evalEvery: 0, optim: { ...cfg.optim, ema: 0, warmupSteps: Math.min(cfg.optim.warmupSteps, Math.floor(steps / 10)) } };
  const e = main.engine;
  const tr = evalCopy(main, () => new LiveTrainer(e, acfg, source));
  let frozen: Tensor | null = null;
  try {
    if (!wholeNetwork) {
      frozen = e.keep(e.zeros([tr.arena.total]));
      copyInto(e, frozen, tr.arena.data);
    }
    let lastReport = 0;
    while (tr.step < steps) {
      if (hooks.cancelled()) throw new Error('adaptation cancelled: the run it started from was replaced');
      const report = tr.step + 1 === steps || performance.now() - lastReport > 150;
      const m = await hooks.exclusive(async () => {
        const p = tr.trainStep(report);
        // Only the puzzle embeddings learn: put the network back after each update.
        if (frozen) copyInto(e, tr.arena.data, frozen);
        e.flush();
        return p ? await p : null;
      });
      if (m) {
        lastReport = performance.now();
        hooks.progress(tr.step, steps, m.loss);
      }
      await hooks.yieldNow();
    }
    const solution = await voteOnTask(tr, task, false, hooks.exclusive);
    return { trainer: tr, puzzleId: source.registry.get(task.id) ?? 1, ...solution };
  } catch (err) {
    tr.release();
    throw err;
  } finally {
    if (frozen) e.release(frozen);
  }
}
