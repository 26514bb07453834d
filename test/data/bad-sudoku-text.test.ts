// Sudoku text a user hands in: no puzzles, no single answer, the wrong size, runaway lines. Every refusal names
// the file and line and the problem in one short line; files with a byte-order mark or old Mac line ends load.
import { describe, expect, it } from 'vitest';
import { countSolutions } from '../../src/data/sudoku';
import { parseSudokuText, sudokuAnswer, SudokuTextError, sudokuToString } from '../../src/data/sudoku-text';
import { refusal } from '../helpers/user-message';

const SOLVED = '1234341221434321';
const UNIQUE = '1.3.3..2.1....21'; // one solution: SOLVED
const SEVERAL = '1.3.....2.......';
const NONE = '12........3...4.'; // legal givens, but row 1 col 3 has no candidate (1, 2 in its row; 3, 4 in its column)

/** Solutions of a 4×4 puzzle string, counted up to 3. */
const answers = (p: string) => countSolutions({ h: 4, w: 4, cells: Uint8Array.from(p, (c) => (c === '.' ? 0 : +c)) }, 3);

const answerOf = (text: string) => {
  const [e] = parseSudokuText(text, { name: 'p.txt', size: 4 });
  return sudokuToString(sudokuAnswer(e, 'p.txt'));
};

describe('Sudoku text: no puzzles is an error naming the file', () => {
  it('an empty file', () => {
    expect(refusal(() => parseSudokuText('', { name: 'empty.txt' }))).toMatch(/^empty\.txt: no puzzles \(empty file; expected one per line/);
  });
  it('a file of comments and blank lines only', () => {
    expect(refusal(() => parseSudokuText('# my puzzles\n\n# none yet\r\n', { name: 'c.txt' }))).toMatch(/^c\.txt: no puzzles \(only comments and blank lines;/);
  });
  it('a byte-order mark alone', () => {
    expect(refusal(() => parseSudokuText('\uFEFF', { name: 'b.txt' }))).toMatch(/^b\.txt: no puzzles \(empty file;/);
  });
});

describe('Sudoku text: a puzzle without exactly one answer is refused naming the line', () => {
  it('the fixtures are what they claim', () => {
    expect(answers(UNIQUE)).toBe(1);
    expect(answers(SEVERAL)).toBeGreaterThan(1);
    expect(answers(NONE)).toBe(0);
  });
  it('several solutions and no solution given', () => {
    const m = refusal(() => answerOf(`# header\n${SEVERAL}\n`));
    expect(m).toBe('p.txt: line 2: the puzzle has more than one solution, so there is no single answer to score; give the intended one after a comma (puzzle,solution)');
  });
  it('no solution at all', () => {
    expect(refusal(() => answerOf(NONE))).toBe('p.txt: line 1: the puzzle has no solution');
  });
  it('the error carries the line', () => {
    let err: unknown;
    try {
      answerOf(`\n\n${NONE}`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SudokuTextError);
    expect((err as SudokuTextError).line).toBe(3);
  });
  it("a line's own solution must agree with its givens", () => {
    const wrong = SOLVED.replace(/^1/, '2');
    expect(refusal(() => answerOf(`${SEVERAL},${wrong}`))).toBe('p.txt: line 1, row 1 col 1: solution has 2 where the puzzle gives 1');
  });
  it("a puzzle with several solutions is scored against the line's own, checked one", () => {
    expect(answerOf(`${SEVERAL},${SOLVED}`)).toBe(SOLVED);
    expect(answerOf(UNIQUE)).toBe(SOLVED);
  });
});

describe('Sudoku text: the wrong size names both shapes; runaway lines are not echoed', () => {
  it('a 9×9 puzzle where 4×4 is expected', () => {
    const nine = '.'.repeat(81);
    expect(refusal(() => parseSudokuText(nine, { name: 'n.txt', size: 4, sizeOf: 'the checkpoint' }))).toBe(
      'n.txt: line 1: puzzle is 9×9 (81 characters), but the checkpoint reads 4×4 Sudoku (16 characters)',
    );
  });
  it('a 5 MB line', () => {
    const m = refusal(() => parseSudokuText('7'.repeat(5_000_000), { name: 'big.txt' }));
    expect(m).toBe('big.txt: line 1: puzzle has 5000000 characters, expected 16, 36 or 81 (4×4, 6×6, 9×9)');
  });
  it('a control character is escaped, not written to the terminal', () => {
    const m = refusal(() => parseSudokuText(`1.3.....2.....\u001b.`, { name: 'esc.txt' }));
    expect(m).toBe('esc.txt: line 1 char 15 (puzzle row 4 col 3): "\\u001b" is not \'.\', \'0\' or a digit 1..4');
  });
});

describe('Sudoku text: valid files in the forms editors write them still load', () => {
  it('a byte-order mark before the first puzzle', () => {
    const [e] = parseSudokuText(`\uFEFF${UNIQUE}\n`, { name: 'bom.txt' });
    expect(sudokuToString(e.puzzle)).toBe(UNIQUE);
  });
  it('old Mac line ends (CR only) separate lines', () => {
    const entries = parseSudokuText(`# a\r${UNIQUE}\r${SOLVED}\r`, { name: 'cr.txt' });
    expect(entries.map((e) => e.line)).toEqual([2, 3]);
  });
});
