/**
 * What a model card says, computed from the checkpoint's config and TRM Lab's own evaluation (pure, so the CLI
 * and the tests share it): the config in one line, the parameter count, how the held-out set is drawn, and the
 * featured puzzles (wrong after the first supervision step, right after the last).
 */
import type { DatasetInfo } from '../data/dataset';
import { checkpointLayout } from '../io/checkpoint-layout';
import type { DataConfig, TrainConfig } from '../trm/config';
import type { StepDetail } from '../trm/trainer';

/** Featured puzzles kept on a card. */
export const MAX_FEATURED = 12;

function dataText(d: DataConfig): string {
  switch (d.kind) {
    case 'sudoku':
      return `${d.size}×${d.size} Sudoku (${d.difficulty >= 1 ? 'minimal givens' : `${Math.round(d.difficulty * 100)}% blanked`}), ${d.trainPuzzles} training puzzles${d.augment ? ' with shuffles' : ''}`;
    case 'maze':
      return `${d.size}×${d.size} mazes (shortest path ≥ ${d.minPathLength}), ${d.trainMazes} training mazes${d.augment ? ' with symmetries' : ''}`;
    case 'arc-procedural':
      return `procedural ARC-like tasks (${d.families.length ? d.families.join(', ') : 'all families'}), ${d.tasks} tasks on a ${d.canvas}×${d.canvas} canvas, ${d.augmentations} augmentations`;
    case 'arc':
      return `${d.source} on a ${d.canvas}×${d.canvas} canvas, ${d.augmentations} augmentations`;
  }
}

/** The config in one line: "MLP mixer, D 32, 2 layers, T 2 · n 2 · N_sup 4; adam-atan2 lr 0.001, batch 64, EMA 0.99, 2000 steps; 4×4 Sudoku …". */
export function configSummary(cfg: TrainConfig): string {
  const m = cfg.model, o = cfg.optim;
  const mixer = m.variant === 'mlp' ? 'MLP mixer' : `attention (${m.heads} heads, ${m.posEncoding === 'rope' ? 'RoPE' : 'no positions'})`;
  return [
    `${mixer}, D ${m.hidden}, ${m.layers} layers, SwiGLU ×${m.expansion} (rounded to ${m.swigluMultiple}), T ${m.T} · n ${m.n} · N_sup ${m.nSup}`,
    `${o.optimizer} lr ${o.lr}, batch ${o.batchSize}${o.ema > 0 ? `, EMA ${o.ema}` : ''}, ${o.loss}, ${cfg.steps} steps, seed ${cfg.seed}`,
    dataText(cfg.data),
  ].join('; ');
}

/** Parameters of the weights a checkpoint of this config holds (network, heads, y/z init, puzzle embeddings). */
export function paramCount(cfg: TrainConfig, info: DatasetInfo): number {
  return checkpointLayout(cfg, info).weights.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
}

/** How the held-out examples are drawn: the config's test split and seed (the same split `npm run eval` scores). */
export function heldOutText(cfg: TrainConfig, scored: number): string {
  const d = cfg.data;
  const split =
    d.kind === 'sudoku' ? `the ${d.testPuzzles} held-out puzzles the config generates (seed ${cfg.seed}, none of them a training puzzle)`
    : d.kind === 'maze' ? `the ${d.testMazes} held-out mazes the config generates (seed ${cfg.seed}, none of them a training maze)`
    : d.kind === 'arc-procedural' ? `the held-out 20% of the config's ${d.tasks} procedural tasks (seed ${cfg.seed}), every augmented version`
    : `the ${d.source} evaluation tasks, every augmented version (seed ${cfg.seed})`;
  return `first ${scored} of ${split}`;
}

/**
 * Held-out indices wrong after step 1 and right after the last step, those that settle latest first (they
 * show the most refinement), then by index. `indices[k]` is the held-out index of evaluated example k.
 */
export function featuredOf(detail: StepDetail, nSup: number, indices: readonly number[], max = MAX_FEATURED): number[] {
  const found: { index: number; settles: number }[] = [];
  indices.forEach((index, k) => {
    const exact = (s: number) => detail.exact[k * nSup + s] === 1;
    if (exact(0) || !exact(nSup - 1)) return;
    let settles = nSup - 1;
    while (settles > 0 && exact(settles - 1)) settles--;
    found.push({ index, settles });
  });
  return found.sort((a, b) => b.settles - a.settles || a.index - b.index).slice(0, max).map((f) => f.index);
}
