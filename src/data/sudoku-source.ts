import { InputError } from '../io/user-error';
import { mulberry32 } from '../nn/init';
import type { Example } from './dataset';
import { stackExamples, type Batch, type DataSource } from './source';
import { generateSudokus, shuffleSudoku, sudokuDatasetInfo, sudokuExample, type SudokuPuzzle, type SudokuSize } from './sudoku';
import { sudokuToString } from './sudoku-text';

export interface SudokuSourceOptions {
  size: SudokuSize;
  /** Fraction of cells blanked: 0.1 leaves 90% of the givens … 1 = minimal puzzles. */
  difficulty: number;
  trainPuzzles: number;
  testPuzzles: number;
  /** Rule-preserving shuffles of each drawn training puzzle (the reference's shuffle_sudoku). */
  augment: boolean;
  seed: number;
}

/** Givens to keep for a difficulty: the fraction of cells blanked (1 = as many as uniqueness allows, a minimal puzzle). */
export function sudokuClues(size: SudokuSize, difficulty: number): number {
  return difficulty >= 1 ? 0 : Math.round(size * size * (1 - difficulty));
}

/**
 * A fixed set of training puzzles, sampled with replacement and augmented on the fly, and held-out test
 * puzzles generated from another seed with every training puzzle excluded.
 */
export function sudokuSource(o: SudokuSourceOptions, testOverride?: SudokuPuzzle[]): DataSource & { train: SudokuPuzzle[]; test: SudokuPuzzle[] } {
  const gen = { size: o.size, clues: sudokuClues(o.size, o.difficulty) };
  const train = generateSudokus(o.trainPuzzles, gen, o.seed, 'data.trainPuzzles');
  const seen = new Set(train.map((p) => sudokuToString(p.puzzle)));
  const test = testOverride ?? heldOut(o.testPuzzles, gen, o.seed, seen);
  const info = sudokuDatasetInfo(o.size);
  const testExamples = test.map(sudokuExample);
  return {
    info,
    train,
    test,
    trainBatch(B: number, rand: () => number): Batch {
      const ex: Example[] = [];
      for (let i = 0; i < B; i++) {
        const p = train[Math.floor(rand() * train.length)];
        ex.push(sudokuExample(o.augment ? shuffleSudoku(p, rand) : p));
      }
      return stackExamples(ex, info.seqLen);
    },
    evalExamples: () => testExamples,
  };
}

function heldOut(n: number, gen: { size: SudokuSize; clues: number }, seed: number, exclude: Set<string>): SudokuPuzzle[] {
  const out: SudokuPuzzle[] = [];
  const rand = mulberry32(seed ^ 0x7e57);
  let tries = 0;
  while (out.length < n) {
    if (++tries > 50 * n + 1000) throw new InputError(`data.testPuzzles: could only make ${out.length} of ${n} held-out ${gen.size}×${gen.size} puzzles distinct from the training set; ask for fewer`);
    const [p] = generateSudokus(1, gen, Math.floor(rand() * 2 ** 31));
    const key = sudokuToString(p.puzzle);
    if (exclude.has(key)) continue;
    exclude.add(key);
    out.push(p);
  }
  return out;
}
