import { useCallback, useEffect, useMemo, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { Example } from '../../data/dataset';
import type { Grid } from '../../data/grid';
import { generateSudoku, type SudokuSize } from '../../data/sudoku';
import { mulberry32 } from '../../nn/init';
import { GridView } from '../grid/GridView';
import { sudokuDigits } from '../grid/symbols';
import { sudokuToExample, viewBoxes, type PuzzleView } from '../puzzle-codec';
import { useKept } from './kept';
import { isTypingTarget } from './keys';
import { initialSudokuEditor, sudokuConflicts, sudokuEditorReducer, sudokuKeyAction, type SudokuAction } from './sudoku-editor';
import './editors.css';

export interface SudokuSolveRequest {
  /** Labels are the unique solution, or all IGNORE_LABEL when there is none or several. */
  example: Example;
  board: Grid;
  view: PuzzleView;
}

export interface SudokuEditorProps {
  /** The model's board size (config.data.size); a new size starts a new board. */
  size: SudokuSize;
  /** Board to start from (0 blank, 1..size digits). Edits are kept, per starting board and size, across unmounts. */
  initialBoard?: Grid;
  /** Solve pressed: send { type: 'trace', example } to the worker. */
  onSolve?: (req: SudokuSolveRequest) => void;
  onBoardChange?: (board: Grid) => void;
  busy?: boolean;
  /** Shown next to Solve: progress, or the worker's error. */
  status?: ReactNode;
}

/** Where the edits of an editor opened without a starting board are kept. */
const BLANK = {};

/**
 * Sudoku editor (4×4, 6×6, 9×9): click a cell, type 1..N; 0, Backspace, Delete or '.' clears; arrows move;
 * Ctrl+Z / Ctrl+Shift+Z undo and redo. Digits breaking a rule are marked red; the solver says whether the
 * puzzle has a unique solution (then it is Solve's target).
 */
export function SudokuEditor(props: SudokuEditorProps) {
  return <SudokuEditorBody key={props.size} {...props} />;
}

function SudokuEditorBody({ size, initialBoard, onSolve, onBoardChange, busy, status }: SudokuEditorProps) {
  // Kept outside the component: the app's tabs unmount the editor, and the board being built must survive that.
  const [s, setState] = useKept(initialBoard ?? BLANK, `sudoku-${size}`, () => initialSudokuEditor(size, initialBoard?.h === size ? initialBoard : undefined));
  const dispatch = useCallback((a: SudokuAction) => setState((prev) => sudokuEditorReducer(prev, a)), [setState]);
  const root = useRef<HTMLElement>(null);
  const board = s.history.present;
  const conflicts = useMemo(() => sudokuConflicts(board), [board]);
  const encoding = useMemo(() => sudokuToExample(board), [board]);
  const symbols = useMemo(() => sudokuDigits(size), [size]);
  useEffect(() => onBoardChange?.(board), [board, onBoardChange]);

  const onKey = (e: KeyboardEvent) => {
    if (isTypingTarget(e.target)) return;
    const a = sudokuKeyAction(e, size);
    if (!a) return;
    e.preventDefault();
    dispatch(a);
  };
  const randomPuzzle = () => {
    const { puzzle } = generateSudoku({ size }, mulberry32((Math.random() * 2 ** 32) >>> 0));
    dispatch({ type: 'load', board: puzzle });
  };
  const given = board.cells.reduce((n, d) => n + (d ? 1 : 0), 0);
  const verdict = encoding.violation ? (
    <span className="ed-error">{encoding.violation}</span>
  ) : encoding.solutions === 0 ? (
    <span className="ed-error">no solution</span>
  ) : encoding.solutions === 1 ? (
    <span className="ed-ok">unique solution (Solve's target)</span>
  ) : (
    <span className="ed-dim">several solutions: no single target, correctness is not scored</span>
  );
  return (
    <section ref={root} className="ed" tabIndex={0} onKeyDown={onKey} aria-label={`${size}×${size} Sudoku editor`} data-testid="sudoku-editor">
      <div className="ed-bar">
        <button type="button" onClick={randomPuzzle} title="A random puzzle with a unique solution">New puzzle</button>
        <button type="button" onClick={() => dispatch({ type: 'clearAll' })}>Clear</button>
        <button type="button" onClick={() => dispatch({ type: 'undo' })} disabled={!s.history.past.length} title="Undo (Ctrl+Z)">Undo</button>
        <button type="button" onClick={() => dispatch({ type: 'redo' })} disabled={!s.history.future.length} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <span className="ed-sep" />
        {onSolve && (
          <button type="button" disabled={busy} onClick={() => onSolve({ example: encoding.example, board, view: { kind: 'sudoku', size } })} data-testid="sudoku-solve">
            Solve
          </button>
        )}
        {status && <span className="ed-dim">{status}</span>}
      </div>
      <GridView
        h={size}
        w={size}
        cells={board.cells}
        symbols={symbols}
        maxSize={size * 34}
        boxes={viewBoxes({ kind: 'sudoku', size })}
        conflict={conflicts}
        cursor={s.cursor}
        onCellDown={(r, c) => {
          root.current?.focus({ preventScroll: true });
          dispatch({ type: 'select', r, c });
        }}
        label={`${size}×${size} Sudoku board`}
        testId="sudoku-board"
      />
      <div className="ed-bar" role="group" aria-label="Digits">
        {Array.from({ length: size }, (_, i) => (
          <button key={i} type="button" onClick={() => dispatch({ type: 'digit', d: i + 1 })} title={`Write ${i + 1} (key ${i + 1})`}>
            {i + 1}
          </button>
        ))}
        <button type="button" onClick={() => dispatch({ type: 'digit', d: 0 })} title="Clear the cell (0, Backspace, Delete or .)">
          clear
        </button>
      </div>
      <div role="status" data-testid="sudoku-status">
        {given} givens · {verdict}
      </div>
    </section>
  );
}
