/**
 * Between the puzzles people edit and the token sequences the model reads: an edited puzzle becomes an Example
 * encoded exactly as the training data (src/data), and model tokens (a trace frame, an input, a target) become
 * the puzzle's own view again.
 */
import { ARC_CANVAS_SIDE, ARC_VOCAB_SIZE, decodeCanvas, encodePair } from '../data/arc-encoding';
import { IGNORE_LABEL, type Example } from '../data/dataset';
import type { Grid, Pair } from '../data/grid';
import { encodeMaze, MAZE_VOCAB_SIZE, solveMaze, type MazeSolution } from '../data/maze';
import { countSolutions, encodeSudoku, findRuleViolation, solveSudoku, sudokuVocabSize, type SudokuSize } from '../data/sudoku';
import type { DataConfig } from '../trm/config';
import { arcTokens, mazeTokens, sudokuTokens, type SymbolSet } from './grid/symbols';

/** What a model's sequence is: a size×size Sudoku, a size×size maze, or an ARC pair on a canvas×canvas canvas. */
export type PuzzleView =
  | { kind: 'sudoku'; size: SudokuSize }
  | { kind: 'maze'; size: number }
  | { kind: 'arc'; canvas: number };

export function puzzleViewOf(data: DataConfig): PuzzleView {
  switch (data.kind) {
    case 'sudoku':
      return { kind: 'sudoku', size: data.size };
    case 'maze':
      return { kind: 'maze', size: data.size };
    case 'arc':
    case 'arc-procedural':
      return { kind: 'arc', canvas: data.canvas };
  }
}

/** Side of the square token grid a sequence of this view forms. */
export function viewSide(view: PuzzleView): number {
  return view.kind === 'arc' ? view.canvas : view.size;
}

export function viewVocabSize(view: PuzzleView): number {
  return view.kind === 'sudoku' ? sudokuVocabSize(view.size) : view.kind === 'maze' ? MAZE_VOCAB_SIZE : ARC_VOCAB_SIZE;
}

/** How tokens of this view look in a grid. */
export function viewSymbols(view: PuzzleView): SymbolSet {
  return view.kind === 'sudoku' ? sudokuTokens(view.size) : view.kind === 'maze' ? mazeTokens : arcTokens;
}

/** Thick box lines for Sudoku token grids. */
export function viewBoxes(view: PuzzleView): { rows: number; cols: number } | null {
  if (view.kind !== 'sudoku') return null;
  return view.size === 4 ? { rows: 2, cols: 2 } : view.size === 6 ? { rows: 2, cols: 3 } : { rows: 3, cols: 3 };
}

/** Throws naming the mismatch when `tokens` is not one sequence of this view (e.g. a trace from another model). */
export function checkSeqLen(view: PuzzleView, tokens: ArrayLike<number>): void {
  const side = viewSide(view);
  if (tokens.length !== side * side) {
    const what = view.kind === 'arc' ? `a ${side}×${side} ARC canvas` : `a ${side}×${side} ${view.kind}`;
    throw new RangeError(`${tokens.length} tokens do not make ${what} (${side * side} expected)`);
  }
}

/** True when some position is supervised, i.e. the example carries a target. */
export function hasTarget(labels: ArrayLike<number>): boolean {
  for (let i = 0; i < labels.length; i++) if (labels[i] !== IGNORE_LABEL) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Edited puzzle → Example (puzzle id 0: Sudoku and mazes have none; an edited ARC task has no learned row unless
// "Adapt" gave it one)

export interface SudokuEncoding {
  example: Example;
  /** Solutions counted up to 2; labels are the solution only when it is unique (1). */
  solutions: 0 | 1 | 2;
  /** The first broken rule ("row 2 has 4 twice"), which also means no solution. */
  violation: string | null;
}

/** A board (0 blank, 1..N digits) as the model reads it; labels = the unique solution, else all IGNORE_LABEL. */
export function sudokuToExample(board: Grid): SudokuEncoding {
  const inputs = encodeSudoku(board);
  const violation = findRuleViolation(board);
  const solutions = violation ? 0 : (countSolutions(board, 2) as 0 | 1 | 2);
  const solved = solutions === 1 ? solveSudoku(board) : null;
  const labels = solved ? encodeSudoku(solved) : new Int32Array(inputs.length).fill(IGNORE_LABEL);
  return { example: { inputs, labels, puzzleId: 0 }, solutions, violation };
}

export interface MazeEncoding {
  example: Example;
  /** One shortest path (the labels), or null when G cannot be reached. */
  solution: MazeSolution | null;
}

/** A maze (tokens 1..4) as the model reads it; labels = the maze with a BFS shortest path, else all IGNORE_LABEL. Throws unless exactly one S and one G. */
export function mazeToExample(maze: Grid): MazeEncoding {
  const solution = solveMaze(maze);
  const inputs = encodeMaze(maze);
  const labels = solution ? encodeMaze(solution.label) : new Int32Array(inputs.length).fill(IGNORE_LABEL);
  return { example: { inputs, labels, puzzleId: 0 }, solution };
}

/**
 * An ARC pair on the model's canvas at the origin (as evaluation does); no output → labels all IGNORE_LABEL.
 * Throws CanvasFitError when a grid does not fit, its message prefixed by `where` (e.g. "test 1").
 */
export function arcPairToExample(pair: Pair, canvas = ARC_CANVAS_SIDE, opts: { puzzleId?: number; where?: string } = {}): Example {
  return encodePair(pair, canvas, { puzzleId: opts.puzzleId ?? 0, where: opts.where });
}

// ---------------------------------------------------------------------------------------------------------------
// Model tokens → the puzzle's view

/**
 * The answer the tokens spell, in the puzzle's own terms: a Sudoku board (0 where a token is no digit), a maze
 * (tokens as they are, 0 for PAD), or an ARC grid cropped as TRM's evaluator does (decodeCanvas).
 */
export function decodeAnswer(view: PuzzleView, tokens: ArrayLike<number>): Grid {
  checkSeqLen(view, tokens);
  const side = viewSide(view);
  if (view.kind === 'arc') return decodeCanvas(tokens, side);
  const cells = new Uint8Array(side * side);
  for (let i = 0; i < cells.length; i++) {
    const t = tokens[i];
    if (view.kind === 'sudoku') cells[i] = t >= 2 && t <= view.size + 1 ? t - 1 : 0;
    else cells[i] = t >= 1 && t < MAZE_VOCAB_SIZE ? t : 0;
  }
  return { h: side, w: side, cells };
}
