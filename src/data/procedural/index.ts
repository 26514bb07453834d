/**
 * Registry of the procedural ARC-like rule families: list them, make one task from a family, or make a seeded
 * mix of tasks across chosen families (the offline default dataset).
 */
import { mulberry32 } from '../../nn/init';
import { buildTask, type ProceduralTask, type RuleFamily, type TaskOptions } from './family';
import { colourBySizeFamily, majorityColourFamily, recolourFamily } from './colour';
import { dihedralFamily, mirrorConcatFamily, scaleFamily, tileFamily } from './geometry';
import { connectPointsFamily, crossLinesFamily, extendLinesFamily } from './lines';
import { gravityFamily, shiftFamily, slideToContactFamily } from './motion';
import { countToBarFamily, cropObjectFamily, largestObjectFamily } from './objects';
import { logicFamily, symmetryCompleteFamily } from './patterns';
import { denoiseFamily, fillEnclosedFamily, outlineFamily, surroundFamily } from './regions';

export type { ProceduralTask, RuleFamily, SolvedPair, TaskOptions } from './family';

export const FAMILIES: readonly RuleFamily<unknown>[] = [
  dihedralFamily,
  recolourFamily,
  gravityFamily,
  fillEnclosedFamily,
  extendLinesFamily,
  shiftFamily,
  slideToContactFamily,
  scaleFamily,
  cropObjectFamily,
  symmetryCompleteFamily,
  denoiseFamily,
  countToBarFamily,
  tileFamily,
  mirrorConcatFamily,
  outlineFamily,
  surroundFamily,
  largestObjectFamily,
  connectPointsFamily,
  colourBySizeFamily,
  majorityColourFamily,
  crossLinesFamily,
  logicFamily,
];

export function getFamily(name: string): RuleFamily<unknown> {
  const f = FAMILIES.find((x) => x.name === name);
  if (!f) throw new Error(`unknown procedural family "${name}"; known: ${FAMILIES.map((x) => x.name).join(', ')}`);
  return f;
}

/** One task of a family (by name or object). Same options → the same task. */
export function generateTask(family: string | RuleFamily<unknown>, opts: TaskOptions): ProceduralTask {
  return buildTask(typeof family === 'string' ? getFamily(family) : family, opts);
}

export interface TaskMixOptions {
  seed: number;
  /** Family names; default: every family that fits maxSide. */
  families?: readonly string[];
  /** One difficulty for all tasks, or a [lo, hi] range drawn per task; default 0.5. */
  difficulty?: number | readonly [number, number];
  /** Largest grid side; default 10. */
  maxSide?: number;
}

/**
 * `n` tasks cycling through the families in a seeded shuffled order (so the mix stays balanced), each with its
 * own seed drawn from `seed`; task ids are unique.
 */
export function generateTasks(n: number, opts: TaskMixOptions): ProceduralTask[] {
  const maxSide = opts.maxSide ?? 10;
  const families = opts.families
    ? opts.families.map(getFamily)
    : FAMILIES.filter((f) => f.minMaxSide <= maxSide);
  if (!families.length) throw new Error(`no procedural family fits maxSide ${maxSide}`);
  for (const f of families)
    if (f.minMaxSide > maxSide) throw new Error(`family ${f.name} needs maxSide >= ${f.minMaxSide}, got ${maxSide}`);
  const [lo, hi] = typeof opts.difficulty === 'number' ? [opts.difficulty, opts.difficulty] : (opts.difficulty ?? [0.5, 0.5]);
  const rand = mulberry32(opts.seed);
  const order = families.slice();
  const tasks: ProceduralTask[] = [];
  const ids = new Set<string>();
  while (tasks.length < n) {
    if (tasks.length % order.length === 0)
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    const family = order[tasks.length % order.length];
    const seed = Math.floor(rand() * 2 ** 32);
    const difficulty = lo + (hi - lo) * rand();
    const task = buildTask(family, { seed, difficulty, maxSide });
    if (ids.has(task.id)) continue;
    ids.add(task.id);
    tasks.push(task);
  }
  return tasks;
}
