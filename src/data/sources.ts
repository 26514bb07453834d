import type { DataConfig } from '../trm/config';
import { mulberry32 } from '../nn/init';
import { arcSource } from './arc-source';
import type { ArcTask } from './grid';
import { mazeSource } from './maze-source';
import { generateTasks } from './procedural';
import type { DataSource } from './source';
import { sudokuSource } from './sudoku-source';

/** ARC tasks a source config names: training tasks and evaluation tasks (whose test pairs are held out). */
export interface ArcTaskSplit {
  train: ArcTask[];
  eval: ArcTask[];
}

/** Hold out a seeded fraction of tasks (at least one) for datasets that ship no split, e.g. Mini-ARC. */
export function splitTasks(tasks: readonly ArcTask[], evalFraction: number, seed: number): ArcTaskSplit {
  const order = tasks.map((t, i) => ({ t, k: mulberry32(seed + i * 7919)() }));
  order.sort((a, b) => a.k - b.k);
  const nEval = Math.max(1, Math.round(tasks.length * evalFraction));
  return { eval: order.slice(0, nEval).map((x) => x.t), train: order.slice(nEval).map((x) => x.t) };
}

/** The procedural tasks a config generates, split into training and held-out tasks (as a run and its export see them). */
export function proceduralTasks(cfg: Extract<DataConfig, { kind: 'arc-procedural' }>, seed: number): ArcTaskSplit {
  const tasks = generateTasks(cfg.tasks, { seed, families: cfg.families.length ? cfg.families : undefined, difficulty: cfg.difficulty, maxSide: cfg.maxSide });
  return splitTasks(tasks, 0.2, seed);
}

/**
 * The data source for a config. ARC sources need their tasks (from public URLs or local files): the caller
 * loads them and passes `arcTasks`.
 */
export function createSource(cfg: DataConfig, seed: number, arcTasks?: ArcTaskSplit): DataSource {
  switch (cfg.kind) {
    case 'sudoku':
      return sudokuSource({ ...cfg, seed });
    case 'maze':
      return mazeSource({ ...cfg, seed });
    case 'arc-procedural': {
      const split = proceduralTasks(cfg, seed);
      return arcSource(split.train, split.eval, { name: 'arc-procedural', canvas: cfg.canvas, augmentations: cfg.augmentations, translate: cfg.translate, seed });
    }
    case 'arc':
      if (!arcTasks) throw new Error(`data source "${cfg.source}" needs its ARC tasks loaded first (public URL or local files)`);
      return arcSource(arcTasks.train, arcTasks.eval, { name: cfg.source, canvas: cfg.canvas, augmentations: cfg.augmentations, translate: cfg.translate, seed });
  }
}
