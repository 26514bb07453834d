import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Example } from '../../data/dataset';
import type { Grid } from '../../data/grid';
import { generateMaze } from '../../data/maze';
import { userMessage } from '../../io/user-error';
import { mulberry32 } from '../../nn/init';
import { GridView } from '../grid/GridView';
import { mazeTokens } from '../grid/symbols';
import { mazeToExample, type PuzzleView } from '../puzzle-codec';
import { useKept } from './kept';
import { isTypingTarget } from './keys';
import { initialMazeEditor, mazeEditorReducer, mazeKeyAction, mazeStatus, openMaze, type MazeAction, type MazeTool } from './maze-editor';
import './editors.css';

export interface MazeSolveRequest {
  /** Labels are the maze with one BFS shortest path, or all IGNORE_LABEL when G is unreachable. */
  example: Example;
  maze: Grid;
  view: PuzzleView;
}

export interface MazeEditorProps {
  /** The model's maze side N (config.data.size); a new size starts a new maze. */
  size: number;
  /** Maze to start from (tokens: 1 wall, 2 open, 3 S, 4 G). Edits are kept, per starting maze and size, across unmounts. */
  initialMaze?: Grid;
  /** Solve pressed: send { type: 'trace', example } to the worker. */
  onSolve?: (req: MazeSolveRequest) => void;
  onMazeChange?: (maze: Grid) => void;
  busy?: boolean;
  status?: ReactNode;
}

const TOOLS: [MazeTool, string, string][] = [
  ['wall', 'Wall', 'W'],
  ['open', 'Open', 'O'],
  ['start', 'Start S', 'S'],
  ['goal', 'Goal G', 'G'],
];

/** Where the edits of an editor opened without a starting maze are kept. */
const BLANK = {};

/** N×N maze editor: paint walls and open cells (click or drag), place S and G; says whether G is reachable. */
export function MazeEditor(props: MazeEditorProps) {
  return <MazeEditorBody key={props.size} {...props} />;
}

function MazeEditorBody({ size, initialMaze, onSolve, onMazeChange, busy, status }: MazeEditorProps) {
  // Kept outside the component: the app's tabs unmount the editor, and the maze being built must survive that.
  const keptKey = initialMaze ?? BLANK;
  const [s, setState] = useKept(keptKey, `maze-${size}`, () => initialMazeEditor(initialMaze?.h === size && initialMaze.w === size ? initialMaze : openMaze(size)));
  const dispatch = useCallback((a: MazeAction) => setState((prev) => mazeEditorReducer(prev, a)), [setState]);
  const [showPath, setShowPath] = useKept(keptKey, `maze-${size}-path`, () => false);
  const [notice, setNotice] = useState<string | null>(null);
  const root = useRef<HTMLElement>(null);
  const maze = s.history.present;
  const verdict = useMemo(() => mazeStatus(maze), [maze]);
  useEffect(() => onMazeChange?.(maze), [maze, onMazeChange]);

  const onKey = (e: KeyboardEvent) => {
    if (isTypingTarget(e.target)) return;
    const a = mazeKeyAction(e);
    if (!a) return;
    e.preventDefault();
    dispatch(a);
  };
  const randomMaze = () => {
    try {
      const { input } = generateMaze({ n: size, minPathLength: size }, mulberry32((Math.random() * 2 ** 32) >>> 0));
      dispatch({ type: 'load', maze: input });
      setNotice(null);
    } catch (e) {
      setNotice(userMessage(e));
    }
  };
  const solve = () => {
    const { example } = mazeToExample(maze);
    onSolve?.({ example, maze, view: { kind: 'maze', size } });
  };
  const shown = showPath && verdict.kind === 'solvable' ? verdict.label : maze;
  const paint = (stroke: boolean) => (r: number, c: number) => {
    if (!stroke) root.current?.focus({ preventScroll: true });
    dispatch({ type: 'paint', r, c, stroke });
  };
  return (
    <section ref={root} className="ed" tabIndex={0} onKeyDown={onKey} aria-label={`${size}×${size} maze editor`} data-testid="maze-editor">
      <div className="ed-bar">
        <span className="ed-tools" role="group" aria-label="Tool">
          {TOOLS.map(([tool, label, key]) => (
            <button key={tool} type="button" aria-pressed={s.tool === tool} onClick={() => dispatch({ type: 'tool', tool })} title={`${label} (${key})`} data-testid={`maze-tool-${tool}`}>
              {label}
            </button>
          ))}
        </span>
        <button type="button" onClick={randomMaze}>Random maze</button>
        <button type="button" onClick={() => dispatch({ type: 'clear' })}>Clear</button>
        <button type="button" onClick={() => dispatch({ type: 'undo' })} disabled={!s.history.past.length} title="Undo (Ctrl+Z)">Undo</button>
        <button type="button" onClick={() => dispatch({ type: 'redo' })} disabled={!s.history.future.length} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <label>
          <input type="checkbox" checked={showPath} onChange={(e) => setShowPath(e.target.checked)} /> show shortest path
        </label>
        <span className="ed-sep" />
        {onSolve && (
          <button type="button" disabled={busy || verdict.kind === 'invalid'} onClick={solve} data-testid="maze-solve" title={verdict.kind === 'invalid' ? 'A maze needs one S and one G' : 'Run the model on this maze'}>
            Solve
          </button>
        )}
        {status && <span className="ed-dim">{status}</span>}
      </div>
      <GridView h={size} w={size} cells={shown.cells} symbols={mazeTokens} maxSize={Math.min(480, size * 24)} onCellDown={paint(false)} onCellDrag={paint(true)} label={`${size}×${size} maze`} testId="maze-board" />
      <div role="status" data-testid="maze-status">
        solvable?{' '}
        {verdict.kind === 'solvable' ? (
          <span className="ed-ok">
            yes: {verdict.pathLength} moves{verdict.unique ? ' (the only shortest path)' : ' (several shortest paths; the target is one of them)'}
          </span>
        ) : verdict.kind === 'unreachable' ? (
          <span className="ed-error">no: G cannot be reached from S</span>
        ) : (
          <span className="ed-error">{verdict.message}</span>
        )}
        {notice && <span className="ed-error"> · {notice}</span>}
      </div>
    </section>
  );
}
