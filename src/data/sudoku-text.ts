/**
 * Plain-text sudoku files: one puzzle per line, size×size characters row-major ('.' or '0' blank, digits 1..size),
 * optionally followed by `,solution`. Blank lines and lines starting with '#' are skipped; the size comes from the
 * length (16, 36, 81) unless given. Every error names the file, the line and, where there is one, the cell.
 * A file with no puzzles is refused; a line's own solution is checked against its givens and the rules.
 */
import { InputError, quote } from '../io/user-error';
import type { Grid } from './grid';
import { countSolutions, findRuleViolation, solveSudoku, sudokuGeometry, type SudokuSize } from './sudoku';

export interface SudokuTextEntry {
  /** 1-based line in the text, for pointing a user at it. */
  line: number;
  puzzle: Grid;
  solution?: Grid;
}

export interface SudokuTextOptions {
  /** Expected side; inferred per line from its length when absent. */
  size?: SudokuSize;
  /** File name for error messages. */
  name?: string;
  /** Who expects `size`, for the message when a line has another (e.g. "the checkpoint"). */
  sizeOf?: string;
}

/** A malformed line; `line` is 1-based. */
export class SudokuTextError extends InputError {
  override name = 'SudokuTextError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const SIZE_BY_LENGTH: Record<number, SudokuSize> = { 16: 4, 36: 6, 81: 9 };

/** A board as size² characters, '.' for blanks. */
export function sudokuToString(board: Grid): string {
  sudokuGeometry(board.h);
  return Array.from(board.cells, (d) => (d === 0 ? '.' : String(d))).join('');
}

export function formatSudokuLine(puzzle: Grid, solution?: Grid): string {
  return solution ? `${sudokuToString(puzzle)},${sudokuToString(solution)}` : sudokuToString(puzzle);
}

/** One line per puzzle, newline-terminated; parseSudokuText reads it back. */
export function formatSudokuText(entries: readonly { puzzle: Grid; solution?: Grid }[]): string {
  return entries.map((e) => formatSudokuLine(e.puzzle, e.solution) + '\n').join('');
}

export function parseSudokuText(text: string, options: SudokuTextOptions = {}): SudokuTextEntry[] {
  const name = options.name ?? 'sudoku text';
  if (options.size !== undefined) sudokuGeometry(options.size);
  const entries: SudokuTextEntry[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark from a Windows editor
  body.split(/\r\n|\n|\r/).forEach((raw, k) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    entries.push(parseLine(raw, k + 1, name, options));
  });
  if (entries.length === 0) {
    const what = body.trim() === '' ? 'empty file' : 'only comments and blank lines';
    throw new InputError(`${name}: no puzzles (${what}; expected one per line: 16, 36 or 81 characters, '.' or '0' for blanks, optionally ",solution")`);
  }
  return entries;
}

/** A comma-separated field, trimmed, with the 0-based position of its first character in the line. */
interface Field {
  text: string;
  start: number;
}

function splitFields(raw: string): Field[] {
  const fields: Field[] = [];
  let from = 0;
  for (const part of raw.split(',')) {
    const lead = part.length - part.trimStart().length;
    fields.push({ text: part.trim(), start: from + lead });
    from += part.length + 1;
  }
  return fields;
}

function parseLine(raw: string, line: number, name: string, options: SudokuTextOptions): SudokuTextEntry {
  const fail = (where: string, problem: string): never => {
    throw new SudokuTextError(`${name}: line ${line}${where}: ${problem}`, line);
  };
  const fields = splitFields(raw);
  if (fields.length > 2) fail('', `expected puzzle[,solution] but found ${fields.length} comma-separated fields`);
  const [puzzleField, solutionField] = fields;

  const expected = options.size;
  const length = puzzleField.text.length;
  const size = expected ?? SIZE_BY_LENGTH[length];
  if (size === undefined || length !== size * size) {
    const other = SIZE_BY_LENGTH[length];
    if (expected && other) {
      fail('', `puzzle is ${other}×${other} (${length} characters), but ${options.sizeOf ?? 'this file'} reads ${expected}×${expected} Sudoku (${expected * expected} characters)`);
    }
    const want = expected
      ? `${expected * expected} for a ${expected}×${expected} sudoku`
      : '16, 36 or 81 (4×4, 6×6, 9×9)';
    fail('', `puzzle has ${length} characters, expected ${want}`);
  }

  // Character positions are reported 1-based in the original line, so an editor can jump to them.
  const readBoard = (field: Field, what: 'puzzle' | 'solution'): Grid => {
    const cells = new Uint8Array(size * size);
    for (let i = 0; i < field.text.length; i++) {
      const ch = field.text[i];
      const blank = ch === '.' || ch === '0';
      const digit = ch >= '1' && ch <= '9' ? ch.charCodeAt(0) - 48 : 0;
      const ok = (digit >= 1 && digit <= size) || (blank && what === 'puzzle');
      if (!ok) {
        const allowed =
          what === 'puzzle' ? `'.', '0' or a digit 1..${size}` : `a digit 1..${size} (a solution has no blanks)`;
        const shown = ch >= '!' && ch <= '~' ? `'${ch}'` : quote(ch); // control characters escaped
        fail(` char ${field.start + i + 1} (${what} ${cellName(i, size)})`, `${shown} is not ${allowed}`);
      }
      cells[i] = digit;
    }
    return { h: size, w: size, cells };
  };

  const puzzle = readBoard(puzzleField, 'puzzle');
  if (!solutionField) {
    const broken = findRuleViolation(puzzle);
    if (broken) fail('', `puzzle breaks the rules: ${broken}`);
    return { line, puzzle };
  }
  if (solutionField.text.length !== size * size) {
    const got = solutionField.text.length;
    fail('', `solution has ${got} characters, but the ${size}×${size} puzzle has ${size * size}`);
  }
  const solution = readBoard(solutionField, 'solution');
  for (let i = 0; i < puzzle.cells.length; i++) {
    const given = puzzle.cells[i];
    if (given !== 0 && given !== solution.cells[i]) {
      fail(`, ${cellName(i, size)}`, `solution has ${solution.cells[i]} where the puzzle gives ${given}`);
    }
  }
  const broken = findRuleViolation(solution);
  if (broken) fail('', `solution breaks the rules: ${broken}`);
  return { line, puzzle, solution };
}

function cellName(i: number, size: number): string {
  return `row ${Math.floor(i / size) + 1} col ${(i % size) + 1}`;
}

/**
 * The one answer to score a line's puzzle against: its own solution, else the puzzle's only solution. A puzzle
 * with none, or with several (scoring against one of them would mark the others wrong), is refused naming the
 * line; counting stops at 2.
 */
export function sudokuAnswer(entry: SudokuTextEntry, name: string): Grid {
  if (entry.solution) return entry.solution;
  const fail = (problem: string): never => {
    throw new SudokuTextError(`${name}: line ${entry.line}: ${problem}`, entry.line);
  };
  const count = countSolutions(entry.puzzle, 2);
  if (count === 0) fail('the puzzle has no solution');
  if (count > 1) fail('the puzzle has more than one solution, so there is no single answer to score; give the intended one after a comma (puzzle,solution)');
  return solveSudoku(entry.puzzle)!; // exactly one exists
}
