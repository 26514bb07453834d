import { describe, expect, it } from 'vitest';
import { IGNORE_LABEL } from '../../src/data/dataset';
import type { Grid } from '../../src/data/grid';
import {
  applySudokuShuffle,
  countSolutions,
  decodeSudoku,
  encodeSudoku,
  generateSudoku,
  generateSudokus,
  propagateNakedSingles,
  randomSudokuShuffle,
  shuffleSudoku,
  solveSudoku,
  sudokuDatasetInfo,
  sudokuExample,
  type SudokuPuzzle,
  type SudokuSize,
} from '../../src/data/sudoku';
import {
  formatSudokuText,
  parseSudokuText,
  SudokuTextError,
  sudokuToString,
} from '../../src/data/sudoku-text';
import { mulberry32 } from '../../src/nn/init';

// ---- Independent checkers: written from the rules, sharing no code with the module under test ----

const BOX: Record<SudokuSize, [number, number]> = { 4: [2, 2], 6: [2, 3], 9: [3, 3] };
const SIZES: SudokuSize[] = [4, 6, 9];

function cell(g: Grid, r: number, c: number): number {
  return g.cells[r * g.w + c];
}

/** The cells of every row, column and box, as lists of values. */
function units(g: Grid, size: SudokuSize): number[][] {
  const [br, bc] = BOX[size];
  const out: number[][] = [];
  for (let i = 0; i < size; i++) {
    out.push(Array.from({ length: size }, (_, j) => cell(g, i, j)));
    out.push(Array.from({ length: size }, (_, j) => cell(g, j, i)));
  }
  for (let r0 = 0; r0 < size; r0 += br) {
    for (let c0 = 0; c0 < size; c0 += bc) {
      const box: number[] = [];
      for (let r = r0; r < r0 + br; r++) for (let c = c0; c < c0 + bc; c++) box.push(cell(g, r, c));
      out.push(box);
    }
  }
  return out;
}

/** A complete, valid solution: every unit holds exactly the digits 1..size. */
function isValidSolution(g: Grid, size: SudokuSize): boolean {
  if (g.h !== size || g.w !== size) return false;
  const want = Array.from({ length: size }, (_, i) => i + 1).join(',');
  return units(g, size).every((u) => [...u].sort((a, b) => a - b).join(',') === want);
}

function givensMatch(puzzle: Grid, solution: Grid): boolean {
  return puzzle.cells.every((d, i) => d === 0 || d === solution.cells[i]);
}

/** Naked singles, written plainly with sets. */
function nakedSinglesSolve(puzzle: Grid, size: SudokuSize): boolean {
  const g: Grid = { h: size, w: size, cells: puzzle.cells.slice() };
  const [br, bc] = BOX[size];
  for (let progress = true; progress; ) {
    progress = false;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        if (cell(g, r, c)) continue;
        const seen = new Set<number>();
        for (let k = 0; k < size; k++) seen.add(cell(g, r, k)).add(cell(g, k, c));
        const r0 = r - (r % br);
        const c0 = c - (c % bc);
        for (let i = r0; i < r0 + br; i++) for (let j = c0; j < c0 + bc; j++) seen.add(cell(g, i, j));
        const cands = Array.from({ length: size }, (_, i) => i + 1).filter((d) => !seen.has(d));
        if (cands.length === 1) {
          g.cells[r * size + c] = cands[0];
          progress = true;
        }
      }
    }
  }
  return g.cells.every((d) => d !== 0);
}

/** All 288 solved 4×4 grids, by plain enumeration. */
function all4x4Grids(): Uint8Array[] {
  const grids: Uint8Array[] = [];
  const cur = new Uint8Array(16);
  const fits = (i: number, d: number): boolean => {
    const r = i >> 2;
    const c = i & 3;
    for (let j = 0; j < i; j++) {
      const rj = j >> 2;
      const cj = j & 3;
      const sameBox = rj >> 1 === r >> 1 && cj >> 1 === c >> 1;
      if (cur[j] === d && (rj === r || cj === c || sameBox)) return false;
    }
    return true;
  };
  const fill = (i: number): void => {
    if (i === 16) return void grids.push(cur.slice());
    for (let d = 1; d <= 4; d++) {
      if (fits(i, d)) {
        cur[i] = d;
        fill(i + 1);
      }
    }
  };
  fill(0);
  return grids;
}

function grid(size: number, s: string): Grid {
  return { h: size, w: size, cells: Uint8Array.from(s, (ch) => (ch === '.' ? 0 : Number(ch))) };
}

function clueCount(g: Grid): number {
  return g.cells.filter((d) => d !== 0).length;
}

/** Every given is needed: blanking any one of them admits a second solution. */
function isMinimal(p: SudokuPuzzle): boolean {
  for (let i = 0; i < p.puzzle.cells.length; i++) {
    if (!p.puzzle.cells[i]) continue;
    const fewer = { ...p.puzzle, cells: p.puzzle.cells.slice() };
    fewer.cells[i] = 0;
    if (countSolutions(fewer, 2) < 2) return false;
  }
  return true;
}

const SOL4 = '1234341221434321';

// Arto Inkala's "world's hardest sudoku" (2012) and its published solution.
const INKALA = '8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..';
const INKALA_SOLUTION = '812753649943682175675491283154237896369845721287169534521974368438526917796318452';

describe('sudoku solver', () => {
  it('counts the 288 solved 4×4 grids and stops at the limit', () => {
    expect(all4x4Grids()).toHaveLength(288);
    expect(countSolutions(grid(4, '.'.repeat(16)), 1000)).toBe(288);
    expect(countSolutions(grid(9, '.'.repeat(81)), 5)).toBe(5);
    expect(countSolutions(grid(6, '.'.repeat(36)), 3)).toBe(3);
  });

  it('solves a hard 9×9 to its published solution, uniquely', () => {
    const s = solveSudoku(grid(9, INKALA))!;
    expect(sudokuToString(s)).toBe(INKALA_SOLUTION);
    expect(isValidSolution(s, 9)).toBe(true);
    expect(countSolutions(grid(9, INKALA), 10)).toBe(1);
  });

  it('finds exactly two solutions when a swappable rectangle is blanked, and none for conflicting givens', () => {
    const sol = grid(9, INKALA_SOLUTION);
    let found = false;
    // Rows in one band, columns in two stacks, values a b / b a: swapping them is the other solution.
    for (let r1 = 0; r1 < 9 && !found; r1++) {
      for (let r2 = r1 + 1; r2 < 3 * Math.floor(r1 / 3) + 3 && !found; r2++) {
        for (let c1 = 0; c1 < 9 && !found; c1++) {
          for (let c2 = c1 + 1; c2 < 9 && !found; c2++) {
            const [a, b] = [cell(sol, r1, c1), cell(sol, r1, c2)];
            if (cell(sol, r2, c1) !== b || cell(sol, r2, c2) !== a) continue;
            const p = { ...sol, cells: sol.cells.slice() };
            for (const [r, c] of [[r1, c1], [r1, c2], [r2, c1], [r2, c2]]) p.cells[r * 9 + c] = 0;
            expect(countSolutions(p, 10)).toBe(2);
            found = true;
          }
        }
      }
    }
    expect(found).toBe(true);
    const clash = grid(4, '11..............');
    expect(countSolutions(clash)).toBe(0);
    expect(solveSudoku(clash)).toBeNull();
    // Givens that agree pairwise but leave a cell with no candidate.
    expect(countSolutions(grid(4, '..12' + '.4..' + '3...' + '....'))).toBe(0);
  });
});

describe('sudoku generator', () => {
  const grids4 = new Set(all4x4Grids().map((g) => g.join('')));

  for (const size of SIZES) {
    it(`${size}×${size}: 1000 distinct puzzles, each uniquely solvable with a rule-valid solution`, () => {
      const ps = generateSudokus(1000, { size }, 100 + size);
      expect(ps).toHaveLength(1000);
      expect(new Set(ps.map((p) => sudokuToString(p.puzzle))).size).toBe(1000);
      for (const p of ps) {
        expect(isValidSolution(p.solution, size)).toBe(true);
        expect(givensMatch(p.puzzle, p.solution)).toBe(true);
        expect(clueCount(p.puzzle)).toBeLessThan(size * size);
        expect(countSolutions(p.puzzle, 2)).toBe(1);
      }
      if (size === 4) {
        // Independent uniqueness: exactly one of all 288 grids agrees with the givens.
        for (const p of ps) {
          let matches = 0;
          for (const g of grids4) if ([...g].every((ch, i) => !p.puzzle.cells[i] || Number(ch) === p.puzzle.cells[i])) matches++;
          expect(matches).toBe(1);
        }
      }
    });
  }

  it('is reproducible from its seed', () => {
    for (const size of SIZES) {
      const key = (ps: SudokuPuzzle[]) => ps.map((p) => formatSudokuText([p])).join('');
      expect(key(generateSudokus(20, { size }, 5))).toBe(key(generateSudokus(20, { size }, 5)));
      expect(key(generateSudokus(20, { size }, 5))).not.toBe(key(generateSudokus(20, { size }, 6)));
      const a = generateSudoku({ size }, mulberry32(9));
      const b = generateSudoku({ size }, mulberry32(9));
      expect(sudokuToString(a.puzzle)).toBe(sudokuToString(b.puzzle));
    }
  });

  it('removes clues down to the target count, or to a minimal puzzle by default', () => {
    for (const p of generateSudokus(30, { size: 9, clues: 30 }, 1)) {
      expect(clueCount(p.puzzle)).toBe(30);
      expect(countSolutions(p.puzzle, 2)).toBe(1);
    }
    for (const p of generateSudokus(20, { size: 6, clues: 20 }, 1)) expect(clueCount(p.puzzle)).toBe(20);
    for (const size of SIZES) {
      for (const p of generateSudokus(15, { size }, 2)) expect(isMinimal(p)).toBe(true);
    }
    // An unreachable target leaves a minimal puzzle with more clues.
    for (const p of generateSudokus(10, { size: 9, clues: 5 }, 3)) {
      expect(clueCount(p.puzzle)).toBeGreaterThanOrEqual(17);
      expect(isMinimal(p)).toBe(true);
    }
  });

  it('"hard" puzzles are not solved by naked singles alone; there are none at 4×4', () => {
    for (const size of [6, 9] as const) {
      const ps = generateSudokus(100, { size, hard: true }, 4);
      for (const p of ps) {
        expect(nakedSinglesSolve(p.puzzle, size)).toBe(false);
        expect(countSolutions(p.puzzle, 2)).toBe(1);
        expect(isValidSolution(p.solution, size)).toBe(true);
      }
    }
    expect(() => generateSudoku({ size: 4, hard: true }, mulberry32(1))).toThrow(/4×4/);
    // Hard needs few clues: with 60 givens, no 9×9 in a few tries resists singles.
    expect(() => generateSudoku({ size: 9, clues: 60, hard: true, maxTries: 3 }, mulberry32(1))).toThrow(/3 tries/);
  });

  it('naked-single propagation only ever fills in the solution', () => {
    let solvedCount = 0;
    for (const size of SIZES) {
      for (const p of generateSudokus(100, { size }, 8)) {
        const q = propagateNakedSingles(p.puzzle);
        expect(givensMatch(q, p.solution)).toBe(true);
        expect(givensMatch(p.puzzle, q)).toBe(true);
        const complete = q.cells.every((d) => d !== 0);
        expect(complete).toBe(nakedSinglesSolve(p.puzzle, size));
        if (complete) solvedCount++;
      }
    }
    expect(solvedCount).toBeGreaterThan(0);
  });
});

describe('sudoku augmentation', () => {
  for (const size of SIZES) {
    it(`${size}×${size}: shuffles keep solutions valid, puzzles unique and consistent, blanks blank`, () => {
      const rng = mulberry32(size);
      const base = generateSudoku({ size }, rng);
      const blanks = base.puzzle.cells.length - clueCount(base.puzzle);
      const seen = new Set<string>();
      for (let k = 0; k < 200; k++) {
        const s = randomSudokuShuffle(size, rng);
        const aug = { puzzle: applySudokuShuffle(base.puzzle, s), solution: applySudokuShuffle(base.solution, s) };
        expect(isValidSolution(aug.solution, size)).toBe(true);
        expect(givensMatch(aug.puzzle, aug.solution)).toBe(true);
        expect(aug.puzzle.cells.length - clueCount(aug.puzzle)).toBe(blanks);
        if (k < 20) expect(countSolutions(aug.puzzle, 2)).toBe(1);
        seen.add(sudokuToString(aug.solution));
        // Blank fixed by the digit map; digits 1..size permuted.
        expect(s.digitMap[0]).toBe(0);
        expect([...s.digitMap.slice(1)].sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i + 1));
        // Output cell (r, c) is the source cell (rowPerm[r], colPerm[c]) of the possibly transposed input.
        for (let r = 0; r < size; r++) {
          for (let c = 0; c < size; c++) {
            const [sr, sc] = s.transpose ? [s.colPerm[c], s.rowPerm[r]] : [s.rowPerm[r], s.colPerm[c]];
            expect(cell(aug.puzzle, r, c)).toBe(s.digitMap[cell(base.puzzle, sr, sc)]);
          }
        }
        // Rows move only band-wise and within bands; columns likewise with stacks.
        const [br, bc] = BOX[size];
        for (let r = 0; r < size; r++) expect(Math.floor(s.rowPerm[r] / br)).toBe(Math.floor(s.rowPerm[r - (r % br)] / br));
        for (let c = 0; c < size; c++) expect(Math.floor(s.colPerm[c] / bc)).toBe(Math.floor(s.colPerm[c - (c % bc)] / bc));
      }
      expect(seen.size).toBeGreaterThan(size === 4 ? 40 : 150);
    });
  }

  it('transposes half the time where boxes are square, never at 6×6 (where it would break the boxes)', () => {
    const rng = mulberry32(3);
    for (const size of [4, 9] as const) {
      const t = Array.from({ length: 1000 }, () => randomSudokuShuffle(size, rng).transpose).filter(Boolean).length;
      expect(t).toBeGreaterThan(400);
      expect(t).toBeLessThan(600);
    }
    for (let k = 0; k < 1000; k++) expect(randomSudokuShuffle(6, rng).transpose).toBe(false);
    // Why: the transpose of a valid 6×6 grid generally has 3×2 blocks where the 2×3 boxes should be.
    const sol = generateSudoku({ size: 6 }, rng).solution;
    const tr: Grid = { h: 6, w: 6, cells: Uint8Array.from({ length: 36 }, (_, i) => sol.cells[(i % 6) * 6 + Math.floor(i / 6)]) };
    expect(isValidSolution(tr, 6)).toBe(false);
  });

  it('digit permutation alone keeps every blank where it was', () => {
    const rng = mulberry32(11);
    for (const size of SIZES) {
      const p = generateSudoku({ size }, rng).puzzle;
      const ident = Int32Array.from({ length: size }, (_, i) => i);
      const s = { ...randomSudokuShuffle(size, rng), transpose: false, rowPerm: ident, colPerm: ident };
      const q = applySudokuShuffle(p, s);
      for (let i = 0; i < p.cells.length; i++) {
        expect(q.cells[i] === 0).toBe(p.cells[i] === 0);
        if (p.cells[i]) expect(q.cells[i]).toBe(s.digitMap[p.cells[i]]);
      }
    }
  });

  it('shuffleSudoku applies one shuffle to puzzle and solution', () => {
    const rng = mulberry32(12);
    for (const size of SIZES) {
      const p = generateSudoku({ size }, rng);
      for (let k = 0; k < 50; k++) {
        const q = shuffleSudoku(p, rng);
        expect(isValidSolution(q.solution, size)).toBe(true);
        expect(givensMatch(q.puzzle, q.solution)).toBe(true);
      }
    }
  });
});

describe('sudoku encoding', () => {
  it('maps blank to 1 and digit d to d + 1, labels the full solution, and round trips', () => {
    const rng = mulberry32(21);
    for (const size of SIZES) {
      const info = sudokuDatasetInfo(size);
      expect(info).toEqual({ name: `sudoku-${size}x${size}`, seqLen: size * size, vocabSize: size + 2, numPuzzleIds: 1 });
      expect({ 4: 6, 6: 8, 9: 11 }[size]).toBe(info.vocabSize);
      const p = generateSudoku({ size }, rng);
      const ex = sudokuExample(p);
      expect(ex.puzzleId).toBe(0);
      expect(ex.inputs).toHaveLength(info.seqLen);
      expect(ex.labels).toHaveLength(info.seqLen);
      for (let i = 0; i < info.seqLen; i++) {
        expect(ex.inputs[i]).toBe(p.puzzle.cells[i] === 0 ? 1 : p.puzzle.cells[i] + 1);
        expect(ex.labels[i]).toBe(p.solution.cells[i] + 1);
        expect(ex.labels[i]).not.toBe(IGNORE_LABEL);
        expect(ex.labels[i]).toBeGreaterThanOrEqual(2);
        expect(ex.inputs[i]).toBeGreaterThanOrEqual(1);
        expect(ex.inputs[i]).toBeLessThan(info.vocabSize);
      }
      expect(decodeSudoku(ex.inputs, size)).toEqual(p.puzzle);
      expect(decodeSudoku(ex.labels, size)).toEqual(p.solution);
      expect(decodeSudoku(encodeSudoku(p.solution), size)).toEqual(p.solution);
    }
  });

  it('rejects PAD, out-of-vocabulary ids and wrong lengths, naming the cell', () => {
    const t = new Int32Array(16).fill(1);
    t[6] = 0;
    expect(() => decodeSudoku(t, 4)).toThrow(/token 0 at row 2 col 3/);
    t[6] = 6;
    expect(() => decodeSudoku(t, 4)).toThrow(/token 6 at row 2 col 3/);
    expect(() => decodeSudoku(new Int32Array(15).fill(1), 4)).toThrow(/15 tokens/);
  });
});

describe('sudoku text format', () => {
  it('round trips puzzles with and without solutions, of every size', () => {
    const rng = mulberry32(31);
    const entries: { puzzle: Grid; solution?: Grid }[] = SIZES.flatMap((size) => [
      generateSudoku({ size }, rng),
      { puzzle: generateSudoku({ size }, rng).puzzle },
    ]);
    const text = formatSudokuText(entries);
    expect(text.split('\n')).toHaveLength(entries.length + 1);
    const back = parseSudokuText(text);
    expect(back).toHaveLength(entries.length);
    back.forEach((e, k) => {
      expect(e.line).toBe(k + 1);
      expect(e.puzzle).toEqual(entries[k].puzzle);
      expect(e.solution).toEqual(entries[k].solution);
    });
    expect(formatSudokuText(back)).toBe(text);
  });

  it('skips comments and blank lines, accepts 0 for blank, CRLF, spaces and an explicit size', () => {
    const text = `# a 4x4 file\r\n\r\n  1.3.0..2.....3.. , ${SOL4} \r\n# end\r\n`;
    const [e] = parseSudokuText(text, { size: 4 });
    expect(e.line).toBe(3);
    expect(sudokuToString(e.puzzle)).toBe('1.3....2.....3..');
    expect(sudokuToString(e.solution!)).toBe(SOL4);
    expect(parseSudokuText(`${INKALA}\n`)[0].puzzle).toEqual(grid(9, INKALA));
  });

  const good = '1.3.....2.....2.'; // lines 1 and 4 of every malformed file below; its solution is SOL4
  const cases: [string, string, RegExp][] = [
    ['wrong length', '1.3.....2.....4', /line 3: puzzle has 15 characters, expected 16, 36 or 81/],
    ['wrong length for the given size', good + '..', /line 3: puzzle has 18 characters/],
    ['bad character', '1.3..x..2.....4.', /line 3 char 6 \(puzzle row 2 col 2\): 'x' is not '\.', '0' or a digit 1\.\.4/],
    ['digit too large for the size', '1.3.....2..5..4.', /line 3 char 12 \(puzzle row 3 col 4\): '5' is not/],
    ['blank in the solution', good + ',12343412214.4321', /line 3 char 29 \(solution row 3 col 4\): '\.' is not a digit 1\.\.4 \(a solution has no blanks\)/],
    ['solution inconsistent with givens', good + ',2134342112434312', /line 3, row 1 col 1: solution has 2 where the puzzle gives 1/],
    ['solution breaking the rules', '1...............,1234123412341234', /line 3: solution breaks the rules: column 1 has 1 twice/],
    ['givens breaking the rules', '1.3.1...........', /line 3: puzzle breaks the rules: column 1 has 1 twice/],
    ['short solution', good + ',123', /line 3: solution has 3 characters, but the 4×4 puzzle has 16/],
    ['too many fields', good + ',1,2', /line 3: expected puzzle\[,solution\] but found 3/],
  ];
  for (const [what, bad, message] of cases) {
    it(`names the line of a malformed line: ${what}`, () => {
      const size = what === 'wrong length for the given size' ? 4 : undefined;
      const text = `${good}\n# comment\n${bad}\n${good}\n`;
      let err: unknown;
      try {
        parseSudokuText(text, { name: 'mine.txt', size });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SudokuTextError);
      expect((err as SudokuTextError).line).toBe(3);
      expect((err as Error).message).toMatch(/^mine\.txt: line 3/);
      expect((err as Error).message).toMatch(message);
    });
  }
});
