import { arcSource } from '../data/arc-source';
import { toRows, type ArcTask } from '../data/grid';
import { VoteBook } from '../data/voting';
import { copyInto } from '../ops/elementwise';
import type { Tensor } from '../engine/tensor';
import type { Trainer } from '../trm/trainer';
import { LiveTrainer } from './live-trainer';

export interface AdaptResult {
  trainer: LiveTrainer;
  /** Puzzle id of the task's un-augmented version in the adapted model. */
  puzzleId: number;
  /** Per test input: up to two voted output grids (rows), best first. */
  candidates: number[][][][];
}

export interface AdaptHooks {
  /** Runs one unit of engine work exclusively (the training loop shares the engine). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  progress(step: number, steps: number, loss: number): void;
  /** Lets the worker handle messages between steps. */
  yieldNow(): Promise<void>;
  cancelled(): boolean;
}

/**
 * ARC test-time training: a copy of the run's model (its evaluation weights) with a fresh puzzle-embedding table
 * for the new task's augmented versions, trained on the task's demonstration pairs. Only the puzzle embeddings
 * learn unless `wholeNetwork`. Then every augmented version of each test input is solved and the predictions,
 * mapped back to the original frame, vote for two candidates (pass@2).
 */
export async function adaptToTask(main: Trainer, task: ArcTask, steps: number, wholeNetwork: boolean, hooks: AdaptHooks): Promise<AdaptResult> {
  const cfg = main.cfg, d = cfg.data;
  if (d.kind !== 'arc' && d.kind !== 'arc-procedural') throw new Error(`Adapt needs a model trained on ARC grids; this run's data is ${d.kind}`);
  if (!task.train.some((p) => p.output)) throw new Error(`task ${task.id} has no demonstration pair with an output to adapt on`);
  if (!task.test.length) throw new Error(`task ${task.id} has no test input to solve`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`adapt steps must be a positive integer, got ${steps}`);
  const source = arcSource([], [task], { name: `adapt ${task.id}`, canvas: d.canvas, augmentations: Math.min(d.augmentations, 64), translate: d.translate, seed: cfg.seed });
  if (source.info.seqLen !== main.data.info.seqLen) throw new Error(`task ${task.id} encodes to ${source.info.seqLen} tokens; the model reads ${main.data.info.seqLen}`);
  const acfg = { ...cfg, steps, evalEvery: 0, optim: { ...cfg.optim, ema: 0, warmupSteps: Math.min(cfg.optim.warmupSteps, Math.floor(steps / 10)) } };
  const e = main.engine;
  const tr = new LiveTrainer(e, acfg, source);
  let frozen: Tensor | null = null;
  try {
    e.scope(() => {
      copyInto(e, tr.arena.data, main.ema?.shadow ?? main.arena.data);
      copyInto(e, tr.buffers.yInit, main.buffers.yInit);
      copyInto(e, tr.buffers.zInit, main.buffers.zInit);
    });
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
    const res = await hooks.exclusive(() => tr.evaluate(source.evalExamples(), { predictions: true }));
    const L = source.info.seqLen, book = new VoteBook();
    source.evalItems.forEach((it, k) => book.addCanvas(it.versionName, it.testIndex, res.predictions!.subarray(k * L, (k + 1) * L), d.canvas, res.confidence![k]));
    const candidates = task.test.map((_, i) => book.ranked(task.id, i).slice(0, 2).map((c) => toRows(c.grid)));
    return { trainer: tr, puzzleId: source.registry.get(task.id) ?? 1, candidates };
  } catch (err) {
    tr.release();
    throw err;
  } finally {
    if (frozen) e.release(frozen);
  }
}
