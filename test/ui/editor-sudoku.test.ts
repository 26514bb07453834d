import { describe, expect, it } from 'vitest';
import { fromRows, makeGrid, toRows } from '../../src/data/grid';
import { findRuleViolation } from '../../src/data/sudoku';
import { initialSudokuEditor, sudokuConflicts, sudokuEditorReducer, sudokuKeyAction, type SudokuAction, type SudokuEditorState } from '../../src/ui/editors/sudoku-editor';

const run = (s: SudokuEditorState, ...actions: SudokuAction[]) => actions.reduce(sudokuEditorReducer, s);

describe('sudoku editor', () => {
  it('click a cell, type a digit; arrows move and stop at the edges', () => {
    let s = run(initialSudokuEditor(4), { type: 'select', r: 1, c: 2 }, { type: 'digit', d: 3 });
    expect(toRows(s.history.present)[1]).toEqual([0, 0, 3, 0]);
    s = run(s, { type: 'move', dr: 0, dc: 1 }, { type: 'move', dr: 0, dc: 1 }, { type: 'move', dr: -1, dc: 0 }, { type: 'move', dr: -1, dc: 0 });
    expect(s.cursor).toEqual({ r: 0, c: 3 });
    expect(run(s, { type: 'select', r: 9, c: -2 }).cursor).toEqual({ r: 3, c: 0 });
  });

  it('digits above the size are refused; 0 clears; each change is one undo step', () => {
    let s = run(initialSudokuEditor(4), { type: 'digit', d: 5 });
    expect(s.history.past.length).toBe(0);
    s = run(s, { type: 'digit', d: 4 }, { type: 'digit', d: 4 }, { type: 'digit', d: 0 });
    expect(s.history.present.cells[0]).toBe(0);
    expect(s.history.past.length).toBe(2);
    s = run(s, { type: 'undo' });
    expect(s.history.present.cells[0]).toBe(4);
    s = run(s, { type: 'redo' });
    expect(s.history.present.cells[0]).toBe(0);
  });

  it('clear all and load are undoable; a board of another size is refused', () => {
    let s = run(initialSudokuEditor(4), { type: 'digit', d: 1 }, { type: 'clearAll' });
    expect(s.history.present.cells.every((d) => d === 0)).toBe(true);
    s = run(s, { type: 'undo' });
    expect(s.history.present.cells[0]).toBe(1);
    expect(run(s, { type: 'load', board: makeGrid(9, 9) })).toBe(s);
  });

  it('keys: digits 1..N, 0 / Backspace / Delete / . clear, arrows, Ctrl+Z / Ctrl+Shift+Z', () => {
    expect(sudokuKeyAction({ key: '4' }, 4)).toEqual({ type: 'digit', d: 4 });
    expect(sudokuKeyAction({ key: '5' }, 4)).toBeNull();
    expect(sudokuKeyAction({ key: '9' }, 9)).toEqual({ type: 'digit', d: 9 });
    for (const key of ['0', 'Backspace', 'Delete', '.']) expect(sudokuKeyAction({ key }, 6)).toEqual({ type: 'digit', d: 0 });
    expect(sudokuKeyAction({ key: 'ArrowDown' }, 6)).toEqual({ type: 'move', dr: 1, dc: 0 });
    expect(sudokuKeyAction({ key: 'z', ctrlKey: true }, 6)).toEqual({ type: 'undo' });
    expect(sudokuKeyAction({ key: 'Z', ctrlKey: true, shiftKey: true }, 6)).toEqual({ type: 'redo' });
    expect(sudokuKeyAction({ key: 'x' }, 6)).toBeNull();
  });
});

describe('conflicts', () => {
  it('marks every digit repeated in a row, column or box, and nothing else', () => {
    const board = fromRows([
      [1, 0, 0, 1], // row
      [0, 0, 3, 0],
      [0, 0, 2, 0],
      [3, 0, 0, 2], // box with (2,2)
    ]);
    expect(toRows({ h: 4, w: 4, cells: sudokuConflicts(board) })).toEqual([
      [1, 0, 0, 1],
      [0, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  });

  it('agrees with findRuleViolation on 6×6 boxes (2 rows × 3 columns)', () => {
    const board = makeGrid(6, 6);
    board.cells[0 * 6 + 0] = 5;
    board.cells[1 * 6 + 2] = 5; // same 2×3 box, other row and column
    expect(findRuleViolation(board)).toBe('box 1 has 5 twice');
    expect(Array.from(sudokuConflicts(board)).reduce((a, b) => a + b)).toBe(2);
    board.cells[1 * 6 + 2] = 0;
    board.cells[2 * 6 + 2] = 5; // the next box down: legal
    expect(findRuleViolation(board)).toBeNull();
    expect(sudokuConflicts(board).every((v) => v === 0)).toBe(true);
  });

  it('a value above the size is a conflict', () => {
    const board = makeGrid(4, 4);
    board.cells[5] = 7;
    expect(sudokuConflicts(board)[5]).toBe(1);
  });
});
