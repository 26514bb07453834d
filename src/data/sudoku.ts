/**
 * Sudoku of side 4 (2×2 boxes), 6 (boxes of 2 rows × 3 columns) and 9 (3×3 boxes): a bitmask MRV solver that
 * counts solutions, a seeded generator of unique-solution puzzles, the reference's rule-preserving shuffle, and
 * the reference token encoding (0 PAD, 1 blank, digit + 1).
 *
 * A board is a `Grid` (h = w = size) whose cells are 0 for blank and 1..size for digits.
 */
import type { DatasetInfo, Example } from './dataset';
import { makeGrid, type Grid } from './grid';
import { mulberry32 } from '../nn/init';
import { drawDistinct, shuffleInPlace } from './random';

export type SudokuSize = 4 | 6 | 9;

/** A puzzle with its (unique) solution. */
export interface SudokuPuzzle {
  puzzle: Grid;
  solution: Grid;
}

/** A random permutation of 0..n-1. */
function permutation(rng: () => number, n: number): number[] {
  return shuffleInPlace(rng, Array.from({ length: n }, (_, i) => i));
}

// ---------------------------------------------------------------------------------------------------------------
// Geometry

/** Where each cell sits (row, column, box) and the box shape, precomputed once per size. */
export interface SudokuGeometry {
  size: SudokuSize;
  boxRows: number;
  boxCols: number;
  rowOf: Uint8Array;
  colOf: Uint8Array;
  boxOf: Uint8Array;
}

const BOX_SHAPES: Record<SudokuSize, [number, number]> = { 4: [2, 2], 6: [2, 3], 9: [3, 3] };
const geometries = new Map<number, SudokuGeometry>();

export function isSudokuSize(n: number): n is SudokuSize {
  return n === 4 || n === 6 || n === 9;
}

export function sudokuGeometry(size: number): SudokuGeometry {
  if (!isSudokuSize(size)) throw new RangeError(`sudoku size ${size} is not one of 4, 6, 9`);
  let g = geometries.get(size);
  if (!g) {
    const [boxRows, boxCols] = BOX_SHAPES[size];
    const n = size * size;
    g = { size, boxRows, boxCols, rowOf: new Uint8Array(n), colOf: new Uint8Array(n), boxOf: new Uint8Array(n) };
    for (let i = 0; i < n; i++) {
      const r = Math.floor(i / size);
      const c = i % size;
      g.rowOf[i] = r;
      g.colOf[i] = c;
      g.boxOf[i] = Math.floor(r / boxRows) * (size / boxCols) + Math.floor(c / boxCols);
    }
    geometries.set(size, g);
  }
  return g;
}

function boardSize(board: Grid): SudokuSize {
  if (board.h !== board.w || !isSudokuSize(board.h)) {
    throw new RangeError(`a ${board.h}×${board.w} grid is not a 4×4, 6×6 or 9×9 sudoku`);
  }
  return board.h;
}

/** The first rule broken by the digits of `board` (blanks ignored), e.g. "row 2 has 4 twice", or null. */
export function findRuleViolation(board: Grid): string | null {
  const size = boardSize(board);
  const geo = sudokuGeometry(size);
  const units: [string, Uint8Array][] = [
    ['row', geo.rowOf],
    ['column', geo.colOf],
    ['box', geo.boxOf],
  ];
  for (const [name, unitOf] of units) {
    const seen = new Int32Array(size);
    for (let i = 0; i < board.cells.length; i++) {
      const d = board.cells[i];
      if (d === 0) continue;
      if (d > size) return `row ${geo.rowOf[i] + 1} col ${geo.colOf[i] + 1}: ${d} is not a digit 1..${size}`;
      const bit = 1 << d;
      if (seen[unitOf[i]] & bit) return `${name} ${unitOf[i] + 1} has ${d} twice`;
      seen[unitOf[i]] |= bit;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Solver: depth-first search over bitmasks, always branching on the blank with the fewest candidates (MRV)

const POPCOUNT = new Uint8Array(1 << 10);
for (let m = 1; m < POPCOUNT.length; m++) POPCOUNT[m] = POPCOUNT[m >> 1] + (m & 1);

/** Bits 1..size set: every digit. */
function fullMask(size: number): number {
  return ((1 << size) - 1) << 1;
}

interface SearchResult {
  count: number;
  first: Uint8Array | null;
}

/**
 * Counts solutions of `cells` up to `limit` and returns the first one found. With `rng`, candidates are tried in
 * random order, which turns the solver into a sampler of random solved grids. Digit `forbid.digit` is excluded
 * at blank `forbid.cell` (the generator's uniqueness test: is there a solution other than the known one there?).
 */
function search(
  cells: Uint8Array,
  geo: SudokuGeometry,
  limit: number,
  rng?: () => number,
  forbid?: { cell: number; digit: number },
): SearchResult {
  const { size, rowOf, colOf, boxOf } = geo;
  const full = fullMask(size);
  const rowUsed = new Int32Array(size);
  const colUsed = new Int32Array(size);
  const boxUsed = new Int32Array(size);
  const board = cells.slice();
  const empties: number[] = [];
  for (let i = 0; i < board.length; i++) {
    const d = board[i];
    if (d === 0) {
      empties.push(i);
      continue;
    }
    const bit = 1 << d;
    if ((rowUsed[rowOf[i]] | colUsed[colOf[i]] | boxUsed[boxOf[i]]) & bit) return { count: 0, first: null };
    rowUsed[rowOf[i]] |= bit;
    colUsed[colOf[i]] |= bit;
    boxUsed[boxOf[i]] |= bit;
  }
  const forbidCell = forbid ? forbid.cell : -1;
  const forbidBit = forbid ? 1 << forbid.digit : 0;
  const result: SearchResult = { count: 0, first: null };
  // Candidates of the blank branched on at each depth.
  const digits = new Int32Array(size * empties.length);

  const dfs = (depth: number): boolean => {
    if (depth === empties.length) {
      result.count++;
      if (!result.first) result.first = board.slice();
      return result.count >= limit;
    }
    // MRV: move the most constrained blank to position `depth`.
    let best = depth;
    let bestMask = 0;
    let bestCount = 99;
    for (let k = depth; k < empties.length; k++) {
      const i = empties[k];
      let mask = full & ~(rowUsed[rowOf[i]] | colUsed[colOf[i]] | boxUsed[boxOf[i]]);
      if (i === forbidCell) mask &= ~forbidBit;
      const c = POPCOUNT[mask >> 1];
      if (c < bestCount) {
        best = k;
        bestMask = mask;
        bestCount = c;
        if (c <= 1) break;
      }
    }
    if (bestCount === 0) return false;
    const i = empties[best];
    empties[best] = empties[depth];
    empties[depth] = i;
    const r = rowOf[i];
    const c = colOf[i];
    const b = boxOf[i];
    const base = depth * size;
    let n = 0;
    for (let d = 1; d <= size; d++) if (bestMask & (1 << d)) digits[base + n++] = d;
    if (rng) shuffleInPlace(rng, digits.subarray(base, base + n));
    let stop = false;
    for (let k = 0; k < n && !stop; k++) {
      const d = digits[base + k];
      const bit = 1 << d;
      board[i] = d;
      rowUsed[r] |= bit;
      colUsed[c] |= bit;
      boxUsed[b] |= bit;
      stop = dfs(depth + 1);
      rowUsed[r] &= ~bit;
      colUsed[c] &= ~bit;
      boxUsed[b] &= ~bit;
    }
    board[i] = 0;
    return stop;
  };
  dfs(0);
  return result;
}

/** Number of solutions of `puzzle`, counting no further than `limit` (2 is enough to test uniqueness). */
export function countSolutions(puzzle: Grid, limit = 2): number {
  return search(puzzle.cells, sudokuGeometry(boardSize(puzzle)), limit).count;
}

/** A solution of `puzzle` (the first found), or null when it has none. */
export function solveSudoku(puzzle: Grid): Grid | null {
  const size = boardSize(puzzle);
  const { first } = search(puzzle.cells, sudokuGeometry(size), 1);
  return first && { h: size, w: size, cells: first };
}

/**
 * Fills every blank that has exactly one candidate, repeatedly, until none does ("naked singles"). Returns the
 * resulting board; it is complete when singles alone solve the puzzle.
 */
export function propagateNakedSingles(puzzle: Grid): Grid {
  const size = boardSize(puzzle);
  const { rowOf, colOf, boxOf } = sudokuGeometry(size);
  const full = fullMask(size);
  const cells = puzzle.cells.slice();
  let changed = true;
  while (changed) {
    changed = false;
    const rowUsed = new Int32Array(size);
    const colUsed = new Int32Array(size);
    const boxUsed = new Int32Array(size);
    for (let i = 0; i < cells.length; i++) {
      const bit = cells[i] ? 1 << cells[i] : 0;
      rowUsed[rowOf[i]] |= bit;
      colUsed[colOf[i]] |= bit;
      boxUsed[boxOf[i]] |= bit;
    }
    for (let i = 0; i < cells.length; i++) {
      if (cells[i]) continue;
      const mask = full & ~(rowUsed[rowOf[i]] | colUsed[colOf[i]] | boxUsed[boxOf[i]]);
      if (POPCOUNT[mask >> 1] !== 1) continue;
      const d = 31 - Math.clz32(mask);
      cells[i] = d;
      rowUsed[rowOf[i]] |= mask;
      colUsed[colOf[i]] |= mask;
      boxUsed[boxOf[i]] |= mask;
      changed = true;
    }
  }
  return { h: size, w: size, cells };
}

export function solvedByNakedSingles(puzzle: Grid): boolean {
  return propagateNakedSingles(puzzle).cells.every((d) => d !== 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Generator

export interface SudokuGenOptions {
  size: SudokuSize;
  /**
   * Difficulty knob: blanks are removed (in random order, each only if the solution stays unique) until this many
   * givens remain. When no further given can be removed first, the puzzle is minimal and keeps more. Default 0:
   * remove as many as possible (a minimal puzzle).
   */
  clues?: number;
  /**
   * Also require that naked singles alone do not solve the puzzle (retrying with fresh grids). Impossible at 4×4,
   * where naked singles solve every uniquely solvable puzzle.
   */
  hard?: boolean;
  /** Fresh solved grids to try before giving up on `hard` (default 200). */
  maxTries?: number;
}

/** A random solved grid: the solver run on an empty board, trying candidates in random order. */
export function randomSolvedGrid(size: SudokuSize, rng: () => number): Grid {
  const geo = sudokuGeometry(size);
  const { first } = search(new Uint8Array(size * size), geo, 1, rng);
  return { h: size, w: size, cells: first! };
}

/** One puzzle with a unique solution, reproducible from `rng`. */
export function generateSudoku(options: SudokuGenOptions, rng: () => number): SudokuPuzzle {
  const { size, clues = 0, hard = false, maxTries = 200 } = options;
  if (hard && size === 4) {
    // Checked exhaustively over all 288 grids × 2^16 given-sets, so no number of tries would help.
    throw new RangeError('hard 4×4 sudokus do not exist: naked singles solve every uniquely solvable 4×4 puzzle');
  }
  const geo = sudokuGeometry(size);
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const solution = randomSolvedGrid(size, rng);
    const cells = solution.cells.slice();
    let given = cells.length;
    for (const i of permutation(rng, cells.length)) {
      if (given <= clues) break;
      // The solution stays unique iff no solution puts another digit in the cell just blanked.
      const digit = cells[i];
      cells[i] = 0;
      if (search(cells, geo, 1, undefined, { cell: i, digit }).count === 0) given--;
      else cells[i] = digit;
    }
    const puzzle = { h: size, w: size, cells };
    if (!hard || !solvedByNakedSingles(puzzle)) return { puzzle, solution };
  }
  throw new Error(
    `no ${size}×${size} sudoku with ${clues ? `${clues} clues` : 'minimal clues'} that naked singles cannot solve ` +
      `was found in ${maxTries} tries`,
  );
}

/** `count` puzzles with pairwise distinct givens, reproducible from `seed`. */
export function generateSudokus(count: number, options: SudokuGenOptions, seed: number, field = 'the puzzle count'): SudokuPuzzle[] {
  const rng = mulberry32(seed);
  const what = `${options.size}×${options.size} sudokus`;
  return drawDistinct(count, () => generateSudoku(options, rng), (p) => p.puzzle.cells.join(''), what, field);
}

// ---------------------------------------------------------------------------------------------------------------
// Augmentation (the reference's shuffle_sudoku, generalised to rectangular boxes)

/**
 * One rule-preserving relabelling: out[r][c] = digitMap[src[rowPerm[r]][colPerm[c]]], where src is the input,
 * transposed first when `transpose`.
 */
export interface SudokuShuffle {
  /** digitMap[0] = 0 keeps blanks blank; digitMap[1..size] is a permutation of 1..size. */
  digitMap: Uint8Array;
  /** Only ever true for square boxes (4×4, 9×9): transposing 2×3 boxes would make them 3×2. */
  transpose: boolean;
  /** Bands permuted, then rows within each band. */
  rowPerm: Int32Array;
  /** Stacks permuted, then columns within each stack. */
  colPerm: Int32Array;
}

/** Permutes groups of `groupLen` lines and the lines inside each group. */
function blockPermutation(rng: () => number, size: number, groupLen: number): Int32Array {
  const perm = new Int32Array(size);
  let k = 0;
  for (const g of permutation(rng, size / groupLen)) {
    for (const j of permutation(rng, groupLen)) perm[k++] = g * groupLen + j;
  }
  return perm;
}

export function randomSudokuShuffle(size: SudokuSize, rng: () => number): SudokuShuffle {
  const { boxRows, boxCols } = sudokuGeometry(size);
  const digitMap = new Uint8Array(size + 1);
  permutation(rng, size).forEach((d, i) => (digitMap[i + 1] = d + 1));
  // Same draw order as the reference: digits, transpose, rows, columns.
  const transpose = rng() < 0.5 && boxRows === boxCols;
  const rowPerm = blockPermutation(rng, size, boxRows);
  const colPerm = blockPermutation(rng, size, boxCols);
  return { digitMap, transpose, rowPerm, colPerm };
}

export function applySudokuShuffle(board: Grid, s: SudokuShuffle): Grid {
  const size = boardSize(board);
  const out = makeGrid(size, size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const sr = s.rowPerm[r];
      const sc = s.colPerm[c];
      const src = s.transpose ? sc * size + sr : sr * size + sc;
      out.cells[r * size + c] = s.digitMap[board.cells[src]];
    }
  }
  return out;
}

/** The same random shuffle applied to a puzzle and its solution. */
export function shuffleSudoku(p: SudokuPuzzle, rng: () => number): SudokuPuzzle {
  const s = randomSudokuShuffle(boardSize(p.puzzle), rng);
  return { puzzle: applySudokuShuffle(p.puzzle, s), solution: applySudokuShuffle(p.solution, s) };
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding (reference build_sudoku_dataset.py): 0 PAD (never produced), 1 blank, digit d → d + 1

export const SUDOKU_BLANK = 1;

export function sudokuVocabSize(size: SudokuSize): number {
  return size + 2;
}

export function encodeSudoku(board: Grid): Int32Array {
  boardSize(board);
  return Int32Array.from(board.cells, (d) => d + 1);
}

/** Inverse of encodeSudoku; rejects PAD and ids outside the vocabulary, naming the position. */
export function decodeSudoku(tokens: ArrayLike<number>, size: SudokuSize): Grid {
  if (tokens.length !== size * size) {
    throw new RangeError(`${tokens.length} tokens do not make a ${size}×${size} sudoku (${size * size} expected)`);
  }
  const g = makeGrid(size, size);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!Number.isInteger(t) || t < SUDOKU_BLANK || t > size + 1) {
      const at = `row ${Math.floor(i / size) + 1} col ${(i % size) + 1}`;
      throw new RangeError(`token ${t} at ${at} is not a ${size}×${size} sudoku token 1..${size + 1}`);
    }
    g.cells[i] = t - 1;
  }
  return g;
}

/** Inputs = puzzle, labels = the full solution (givens included, nothing ignored), puzzle id 0 as the reference. */
export function sudokuExample(p: SudokuPuzzle): Example {
  return { inputs: encodeSudoku(p.puzzle), labels: encodeSudoku(p.solution), puzzleId: 0 };
}

export function sudokuDatasetInfo(size: SudokuSize): DatasetInfo {
  return { name: `sudoku-${size}x${size}`, seqLen: size * size, vocabSize: sudokuVocabSize(size), numPuzzleIds: 1 };
}
