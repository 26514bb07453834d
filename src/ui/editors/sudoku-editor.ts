/** The Sudoku editor as a pure reducer: a board (0 blank, 1..N digits), a cursor, undo/redo, and per-cell conflicts. */
import { makeGrid, type Grid } from '../../data/grid';
import { sudokuGeometry, type SudokuSize } from '../../data/sudoku';
import { commit, redo, startHistory, undo, type History } from './history';
import type { KeyLike } from './arc-editor';

export interface SudokuEditorState {
  size: SudokuSize;
  history: History<Grid>;
  cursor: { r: number; c: number };
}

export type SudokuAction =
  | { type: 'select'; r: number; c: number }
  /** Write digit d at the cursor (0 clears); digits above the size are ignored. */
  | { type: 'digit'; d: number }
  | { type: 'move'; dr: number; dc: number }
  | { type: 'clearAll' }
  | { type: 'load'; board: Grid }
  | { type: 'undo' }
  | { type: 'redo' };

export function initialSudokuEditor(size: SudokuSize, board: Grid = makeGrid(size, size)): SudokuEditorState {
  return { size, history: startHistory(board), cursor: { r: 0, c: 0 } };
}

export function sudokuEditorReducer(s: SudokuEditorState, a: SudokuAction): SudokuEditorState {
  const board = s.history.present;
  const clamp = (v: number) => Math.max(0, Math.min(s.size - 1, v));
  switch (a.type) {
    case 'select':
      return { ...s, cursor: { r: clamp(a.r), c: clamp(a.c) } };
    case 'move':
      return { ...s, cursor: { r: clamp(s.cursor.r + a.dr), c: clamp(s.cursor.c + a.dc) } };
    case 'digit': {
      const i = s.cursor.r * s.size + s.cursor.c;
      if (!Number.isInteger(a.d) || a.d < 0 || a.d > s.size || board.cells[i] === a.d) return s;
      const cells = board.cells.slice();
      cells[i] = a.d;
      return { ...s, history: commit(s.history, { h: s.size, w: s.size, cells }) };
    }
    case 'clearAll':
      return board.cells.some((d) => d) ? { ...s, history: commit(s.history, makeGrid(s.size, s.size)) } : s;
    case 'load': {
      if (a.board.h !== s.size || a.board.w !== s.size) return s;
      return { ...s, history: commit(s.history, a.board) };
    }
    case 'undo':
      return { ...s, history: undo(s.history) };
    case 'redo':
      return { ...s, history: redo(s.history) };
  }
}

const ARROWS: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/** Digits 1..N write, 0 / Backspace / Delete / '.' clear, arrows move, Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo. */
export function sudokuKeyAction(k: KeyLike, size: SudokuSize): SudokuAction | null {
  if (k.altKey) return null;
  const key = k.key.length === 1 ? k.key.toLowerCase() : k.key;
  if (k.ctrlKey || k.metaKey) {
    if (key === 'z') return { type: k.shiftKey ? 'redo' : 'undo' };
    return key === 'y' ? { type: 'redo' } : null;
  }
  if (/^[0-9]$/.test(key)) return Number(key) <= size ? { type: 'digit', d: Number(key) } : null;
  if (key === 'Backspace' || key === 'Delete' || key === '.' || key === ' ') return { type: 'digit', d: 0 };
  const arrow = ARROWS[key];
  return arrow ? { type: 'move', dr: arrow[0], dc: arrow[1] } : null;
}

/** 1 at every digit that repeats in its row, column or box, or is not a digit 1..N. */
export function sudokuConflicts(board: Grid): Uint8Array {
  const { size, rowOf, colOf, boxOf } = sudokuGeometry(board.h);
  const out = new Uint8Array(board.cells.length);
  for (const unitOf of [rowOf, colOf, boxOf]) {
    // First cell seen per (unit, digit); a second one marks both.
    const first = new Int32Array(size * (size + 1)).fill(-1);
    board.cells.forEach((d, i) => {
      if (d === 0) return;
      if (d > size) {
        out[i] = 1;
        return;
      }
      const k = unitOf[i] * (size + 1) + d;
      if (first[k] < 0) first[k] = i;
      else out[i] = out[first[k]] = 1;
    });
  }
  return out;
}
