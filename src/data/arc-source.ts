import { mulberry32 } from '../nn/init';
import { generateVersions, PuzzleIdRegistry, randomOffset, type PuzzleVersion } from './arc-augment';
import { ARC_VOCAB_SIZE, encodePair, maxOffset } from './arc-encoding';
import type { Example } from './dataset';
import type { ArcTask, Pair } from './grid';
import { stackExamples, type Batch, type DataSource } from './source';

export interface ArcSourceOptions {
  name: string;
  /** Canvas side N (30 for ARC-AGI; 6 for 5×5 Mini-ARC). */
  canvas: number;
  /** Augmented versions per task besides the original (the reference uses 1000). */
  augmentations: number;
  /** Random translation of training examples inside the canvas. */
  translate: boolean;
  seed: number;
}

/** One evaluation example's identity, for voting over augmented versions. */
export interface ArcEvalItem {
  taskId: string;
  testIndex: number;
  versionName: string;
}

interface Group {
  versions: { version: PuzzleVersion; id: number; pairs: Pair[] }[];
}

/**
 * The reference split (build_arc_dataset.py): every pair of the training tasks and the demonstration pairs of
 * the evaluation tasks are trained on, each (task, augmentation) version with its own puzzle id; the test
 * pairs of the evaluation tasks, in every version, are held out and voted on.
 */
export function arcSource(trainTasks: readonly ArcTask[], evalTasks: readonly ArcTask[], o: ArcSourceOptions): DataSource & { registry: PuzzleIdRegistry; evalItems: ArcEvalItem[]; evalTasks: readonly ArcTask[] } {
  const rand = mulberry32(o.seed);
  const registry = new PuzzleIdRegistry();
  const groups: Group[] = [];
  const evalExamples: Example[] = [];
  const evalItems: ArcEvalItem[] = [];
  const fit = (p: Pair, where: string) => maxOffset(p.input, p.output, o.canvas, where);
  const add = (task: ArcTask, isEval: boolean) => {
    [...task.train, ...task.test].forEach((p, i) => fit(p, `task ${task.id}, ${i < task.train.length ? `train pair ${i}` : `test pair ${i - task.train.length}`}`));
    const versions = generateVersions(task, o.augmentations, rand).map((version) => {
      const id = registry.idOf(version.name);
      const pairs = isEval ? version.task.train : [...version.task.train, ...version.task.test.filter((p) => p.output)];
      if (isEval) {
        version.task.test.forEach((p, testIndex) => {
          evalExamples.push(encodePair(p, o.canvas, { puzzleId: id }));
          evalItems.push({ taskId: task.id, testIndex, versionName: version.name });
        });
      }
      return { version, id, pairs };
    });
    groups.push({ versions });
  };
  trainTasks.forEach((t) => add(t, false));
  evalTasks.forEach((t) => add(t, true));
  if (groups.length === 0) throw new Error(`${o.name}: no tasks`);
  const info = { name: o.name, seqLen: o.canvas * o.canvas, vocabSize: ARC_VOCAB_SIZE, numPuzzleIds: registry.count };
  return {
    info,
    registry,
    evalItems,
    evalTasks,
    trainBatch(B: number, r: () => number): Batch {
      const ex: Example[] = [];
      for (let i = 0; i < B; i++) {
        const g = groups[Math.floor(r() * groups.length)];
        const v = g.versions[Math.floor(r() * g.versions.length)];
        const p = v.pairs[Math.floor(r() * v.pairs.length)];
        ex.push(encodePair(p, o.canvas, { puzzleId: v.id, offset: o.translate ? randomOffset(fit(p, v.version.name), r) : undefined }));
      }
      return stackExamples(ex, info.seqLen);
    },
    evalExamples: () => evalExamples,
  };
}
