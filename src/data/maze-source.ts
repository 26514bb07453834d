import type { Example } from './dataset';
import { gridKey } from './grid';
import { generateMazes, mazeDatasetInfo, mazeDihedral, mazeExample, type Maze } from './maze';
import { stackExamples, type Batch, type DataSource } from './source';

export interface MazeSourceOptions {
  size: number;
  minPathLength: number;
  trainMazes: number;
  testMazes: number;
  /** The 8 dihedral transforms of each drawn training maze (the paper's setting; the code's default is off). */
  augment: boolean;
  seed: number;
}

/** Fixed training mazes (augmented on the fly) and held-out test mazes distinct from every training maze. */
export function mazeSource(o: MazeSourceOptions): DataSource & { train: Maze[]; test: Maze[] } {
  const gen = { n: o.size, minPathLength: o.minPathLength };
  const all = generateMazes(o.trainMazes + o.testMazes, gen, o.seed, 'data.trainMazes + data.testMazes');
  const train = all.slice(0, o.trainMazes);
  const test = all.slice(o.trainMazes);
  const trainKeys = new Set(train.map((m) => gridKey(m.input)));
  if (test.some((m) => trainKeys.has(gridKey(m.input)))) throw new Error('maze source: a test maze repeats a training maze');
  const info = mazeDatasetInfo(o.size);
  const testExamples = test.map(mazeExample);
  return {
    info,
    train,
    test,
    trainBatch(B: number, r: () => number): Batch {
      const ex: Example[] = [];
      for (let i = 0; i < B; i++) {
        const m = train[Math.floor(r() * train.length)];
        ex.push(mazeExample(o.augment ? mazeDihedral(m, Math.floor(r() * 8)) : m));
      }
      return stackExamples(ex, info.seqLen);
    },
    evalExamples: () => testExamples,
  };
}
