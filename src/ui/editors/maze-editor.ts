/** The maze editor as a pure reducer: paint walls and open cells, place the one start and goal, undo/redo. */
import { makeGrid, type Grid } from '../../data/grid';
import { GOAL, OPEN, solveMaze, START, WALL } from '../../data/maze';
import { userMessage } from '../../io/user-error';
import { setCell } from './arc-ops';
import type { KeyLike } from './arc-editor';
import { commit, redo, replace, startHistory, undo, type History } from './history';

export type MazeTool = 'wall' | 'open' | 'start' | 'goal';

export interface MazeEditorState {
  history: History<Grid>;
  tool: MazeTool;
  /** A drag stroke already made its undo step. */
  strokeOpen: boolean;
}

export type MazeAction =
  | { type: 'tool'; tool: MazeTool }
  /** `stroke`: continues the drag that started with the previous paint (one undo step per drag). */
  | { type: 'paint'; r: number; c: number; stroke: boolean }
  | { type: 'clear' }
  | { type: 'load'; maze: Grid }
  | { type: 'undo' }
  | { type: 'redo' };

const TOOL_CODE: Record<MazeTool, number> = { wall: WALL, open: OPEN, start: START, goal: GOAL };

/** An open n×n maze with S top-left and G bottom-right. */
export function openMaze(n: number): Grid {
  const g = makeGrid(n, n, OPEN);
  g.cells[0] = START;
  g.cells[n * n - 1] = GOAL;
  return g;
}

export function initialMazeEditor(maze: Grid): MazeEditorState {
  return { history: startHistory(maze), tool: 'wall', strokeOpen: false };
}

/** `g` with cell i set to `code`; a new S or G replaces the old one (there is exactly one of each). */
function place(g: Grid, i: number, code: number): Grid {
  const r = Math.floor(i / g.w), c = i % g.w;
  if (code !== START && code !== GOAL) return setCell(g, r, c, code);
  const old = g.cells.indexOf(code);
  if (old === i) return g;
  const moved = old >= 0 ? setCell(g, Math.floor(old / g.w), old % g.w, OPEN) : g;
  return setCell(moved, r, c, code);
}

export function mazeEditorReducer(s: MazeEditorState, a: MazeAction): MazeEditorState {
  const g = s.history.present;
  switch (a.type) {
    case 'tool':
      return { ...s, tool: a.tool };
    case 'paint': {
      if (a.r < 0 || a.r >= g.h || a.c < 0 || a.c >= g.w) return s;
      const open = a.stroke && s.strokeOpen;
      const next = place(g, a.r * g.w + a.c, TOOL_CODE[s.tool]);
      if (next === g) return { ...s, strokeOpen: open };
      return open ? { ...s, history: replace(s.history, next) } : { ...s, history: commit(s.history, next), strokeOpen: true };
    }
    case 'clear':
      return { ...s, history: commit(s.history, openMaze(g.h)), strokeOpen: false };
    case 'load':
      return { ...s, history: commit(s.history, a.maze), strokeOpen: false };
    case 'undo':
      return { ...s, history: undo(s.history), strokeOpen: false };
    case 'redo':
      return { ...s, history: redo(s.history), strokeOpen: false };
  }
}

/** W wall, O open, S start, G goal, Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo. */
export function mazeKeyAction(k: KeyLike): MazeAction | null {
  if (k.altKey) return null;
  const key = k.key.toLowerCase();
  if (k.ctrlKey || k.metaKey) {
    if (key === 'z') return { type: k.shiftKey ? 'redo' : 'undo' };
    return key === 'y' ? { type: 'redo' } : null;
  }
  const tool = ({ w: 'wall', o: 'open', s: 'start', g: 'goal' } as const)[key as 'w' | 'o' | 's' | 'g'];
  return tool ? { type: 'tool', tool } : null;
}

export type MazeStatus =
  | { kind: 'solvable'; pathLength: number; unique: boolean; label: Grid }
  | { kind: 'unreachable' }
  | { kind: 'invalid'; message: string };

/** "Solvable?": a shortest S→G path by BFS (src/data/maze.ts solveMaze), or why there is none. */
export function mazeStatus(g: Grid): MazeStatus {
  try {
    const sol = solveMaze(g);
    return sol ? { kind: 'solvable', pathLength: sol.pathLength, unique: sol.unique, label: sol.label } : { kind: 'unreachable' };
  } catch (e) {
    return { kind: 'invalid', message: userMessage(e) };
  }
}
