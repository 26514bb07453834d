/**
 * N×N mazes as in Maze-Hard: walls, a start S and a goal G; the label is the maze with one shortest S→G path
 * drawn in as 'o' (found by BFS). Includes the 8 dihedral augmentations, the reference token encoding of the
 * charset "# SGo" and a text form of the same characters.
 *
 * A maze is a `Grid` whose cells already hold their token ids: 1 wall, 2 open, 3 start, 4 goal, 5 path (labels
 * only); 0 is PAD and never appears. So encoding is a copy, and text is one charset character per cell.
 */
import type { DatasetInfo, Example } from './dataset';
import { dihedralGrid } from './dihedral';
import { MAX_GRID_SIDE, makeGrid, type Grid } from './grid';
import { InputError, quote } from '../io/user-error';
import { mulberry32 } from '../nn/init';
import { drawDistinct, randInt, shuffleInPlace } from './random';

export const MAZE_CHARSET = '# SGo';
export const WALL = 1;
export const OPEN = 2;
export const START = 3;
export const GOAL = 4;
export const PATH = 5;
export const MAZE_VOCAB_SIZE = MAZE_CHARSET.length + 1;

export interface Maze {
  /** Walls, open cells, S and G. */
  input: Grid;
  /** `input` with the cells strictly between S and G on one shortest path set to PATH. */
  label: Grid;
  /** Moves from S to G along a shortest path (the label has pathLength − 1 'o' cells). */
  pathLength: number;
}

/**
 * - 'walls' (default): each cell is a wall with probability `wallDensity`, our reading of the Lehnert et al. (2024)
 *   procedure Maze-Hard was made with (its exact parameters are unverified). Several shortest paths may exist
 *   unless `uniquePath` is set.
 * - 'backtracker': a perfect maze (a spanning tree, so exactly one path between any two cells) carved by a
 *   randomised depth-first search over rooms at even coordinates; for even N the last row and column, which hold
 *   no rooms, get random dead-end stubs.
 * Either way S and G are open cells at least `minPathLength` moves apart (see generateMaze for how they are drawn).
 */
export type MazeStyle = 'walls' | 'backtracker';

export interface MazeOptions {
  /** Side, 2..30. */
  n: number;
  style?: MazeStyle;
  /** 'walls' only: probability that a cell is a wall (default 0.35; long paths are
   * cheapest to find around 0.35–0.4, near where the open cells stop percolating). */
  wallDensity?: number;
  /** The "hard" filter: minimum shortest-path length in moves (default 1). */
  minPathLength?: number;
  /**
   * Only accept a G reached by exactly one shortest path, so the label is the only correct answer. Long unique
   * paths are rare among random walls; backtracker mazes always have them.
   */
  uniquePath?: boolean;
  /** Fresh layouts to try before giving up (default 10000). */
  maxTries?: number;
}

/** BFS from one cell over non-wall cells: distance (−1 if unreachable), predecessor, shortest-path count (max 2). */
interface Bfs {
  dist: Int32Array;
  parent: Int32Array;
  paths: Uint8Array;
}

function bfs(g: Grid, from: number): Bfs {
  const { h, w, cells } = g;
  const dist = new Int32Array(h * w).fill(-1);
  const parent = new Int32Array(h * w).fill(-1);
  const paths = new Uint8Array(h * w);
  const queue = new Int32Array(h * w);
  dist[from] = 0;
  paths[from] = 1;
  queue[0] = from;
  let tail = 1;
  const visit = (u: number, v: number): void => {
    if (v < 0 || cells[v] === WALL) return;
    if (dist[v] < 0) {
      dist[v] = dist[u] + 1;
      parent[v] = u;
      paths[v] = paths[u];
      queue[tail++] = v;
    } else if (dist[v] === dist[u] + 1) {
      paths[v] = Math.min(2, paths[v] + paths[u]);
    }
  };
  for (let head = 0; head < tail; head++) {
    const u = queue[head];
    const r = Math.floor(u / w);
    const c = u - r * w;
    visit(u, r > 0 ? u - w : -1);
    visit(u, r < h - 1 ? u + w : -1);
    visit(u, c > 0 ? u - 1 : -1);
    visit(u, c < w - 1 ? u + 1 : -1);
  }
  return { dist, parent, paths };
}

/** The input with the BFS path from S to `goal` (exclusive at both ends) marked PATH. */
function drawPath(input: Grid, search: Bfs, goal: number): Grid {
  const label: Grid = { h: input.h, w: input.w, cells: input.cells.slice() };
  for (let v = search.parent[goal]; search.parent[v] >= 0; v = search.parent[v]) label.cells[v] = PATH;
  return label;
}

function findOnly(g: Grid, code: number, name: string): number {
  const first = g.cells.indexOf(code);
  if (first < 0) throw new Error(`maze has no ${name}`);
  if (g.cells.indexOf(code, first + 1) >= 0) throw new Error(`maze has more than one ${name}`);
  return first;
}

export interface MazeSolution {
  label: Grid;
  pathLength: number;
  /** Whether this is the only shortest path. */
  unique: boolean;
}

/** One shortest S→G path by BFS, or null when G cannot be reached. Throws unless there is exactly one S and one G. */
export function solveMaze(input: Grid): MazeSolution | null {
  const s = findOnly(input, START, "start 'S'");
  const goal = findOnly(input, GOAL, "goal 'G'");
  const search = bfs(input, s);
  if (search.dist[goal] < 0) return null;
  return { label: drawPath(input, search, goal), pathLength: search.dist[goal], unique: search.paths[goal] === 1 };
}

/** The first cell at the largest distance. */
function farthest(dist: Int32Array): number {
  let best = 0;
  for (let i = 1; i < dist.length; i++) if (dist[i] > dist[best]) best = i;
  return best;
}

function randomWalls(n: number, density: number, rng: () => number): Grid {
  const g = makeGrid(n, n, OPEN);
  for (let i = 0; i < g.cells.length; i++) if (rng() < density) g.cells[i] = WALL;
  return g;
}

function backtrackerMaze(n: number, rng: () => number): Grid {
  const g = makeGrid(n, n, WALL);
  const rooms = Math.ceil(n / 2); // rooms at even coordinates 0, 2, .., per axis
  const start = randInt(rng, rooms) * 2 * n + randInt(rng, rooms) * 2;
  g.cells[start] = OPEN;
  const stack = [start];
  const steps: [number, number][] = [
    [-2, 0],
    [2, 0],
    [0, -2],
    [0, 2],
  ];
  while (stack.length) {
    const u = stack[stack.length - 1];
    const r = Math.floor(u / n);
    const c = u % n;
    const next = shuffleInPlace(rng, steps.slice()).find(([dr, dc]) => {
      const rr = r + dr;
      const cc = c + dc;
      return rr >= 0 && rr < n && cc >= 0 && cc < n && g.cells[rr * n + cc] === WALL;
    });
    if (!next) {
      stack.pop();
      continue;
    }
    const v = (r + next[0]) * n + c + next[1];
    g.cells[(u + v) / 2] = OPEN; // the wall between the two rooms
    g.cells[v] = OPEN;
    stack.push(v);
  }
  if (n % 2 === 0) {
    // Stubs off the last room row/column: each touches one room only, so the maze stays a tree.
    for (let k = 0; k < n; k += 2) {
      if (rng() < 0.5) g.cells[k * n + n - 1] = OPEN;
      if (rng() < 0.5) g.cells[(n - 1) * n + k] = OPEN;
    }
  }
  return g;
}

/** One maze meeting the options, reproducible from `rng`. */
export function generateMaze(options: MazeOptions, rng: () => number): Maze {
  const { n, style = 'walls', wallDensity = 0.35, minPathLength = 1, uniquePath = false, maxTries = 10_000 } = options;
  if (!Number.isInteger(n) || n < 2 || n > MAX_GRID_SIDE) {
    throw new RangeError(`maze side ${n} is not 2..${MAX_GRID_SIDE}`);
  }
  if (!(wallDensity >= 0 && wallDensity < 1)) throw new RangeError(`wall density ${wallDensity} is not in [0, 1)`);
  const minMoves = Math.max(1, minPathLength);
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const g = style === 'walls' ? randomWalls(n, wallDensity, rng) : backtrackerMaze(n, rng);
    const open: number[] = [];
    g.cells.forEach((v, i) => v === OPEN && open.push(i));
    if (open.length < 2) continue;
    // Drawing S and G uniformly and rejecting short paths would discard thousands of layouts per hard maze.
    // Instead a double sweep (BFS from a random cell to its farthest cell a, then from a to its farthest b) finds a
    // long path a–b in the layout; every cell at least minMoves from a or from b can serve as S, and G is then a
    // random cell at least minMoves from S. A layout is discarded only when a–b is too short.
    const sweep = bfs(g, open[randInt(rng, open.length)]);
    const a = farthest(sweep.dist);
    // No two cells of this component are further apart than twice the start's farthest distance.
    if (2 * sweep.dist[a] < minMoves) continue;
    const fromA = bfs(g, a);
    const fromB = bfs(g, farthest(fromA.dist));
    const starts = open.filter((i) => Math.max(fromA.dist[i], fromB.dist[i]) >= minMoves);
    if (!starts.length) continue;
    const s = starts[randInt(rng, starts.length)];
    const search = bfs(g, s);
    const goals = open.filter((i) => search.dist[i] >= minMoves && (!uniquePath || search.paths[i] === 1));
    if (!goals.length) continue;
    const goal = goals[randInt(rng, goals.length)];
    g.cells[s] = START;
    g.cells[goal] = GOAL;
    return { input: g, label: drawPath(g, search, goal), pathLength: search.dist[goal] };
  }
  throw new Error(
    `no ${n}×${n} '${style}' maze with a ${uniquePath ? 'unique ' : ''}shortest path of ≥ ${minPathLength} moves ` +
      `was found in ${maxTries} tries`,
  );
}

/** `count` mazes with pairwise distinct inputs, reproducible from `seed`. */
export function generateMazes(count: number, options: MazeOptions, seed: number, field = 'the maze count'): Maze[] {
  const rng = mulberry32(seed);
  const what = `${options.n}×${options.n} mazes`;
  return drawDistinct(count, () => generateMaze(options, rng), (m) => m.input.cells.join(''), what, field);
}

// ---------------------------------------------------------------------------------------------------------------
// Dihedral augmentation (reference numbering, see ./dihedral)

/** Transform t applied to input and label together; shortest paths map to shortest paths. */
export function mazeDihedral(m: Maze, t: number): Maze {
  return { input: dihedralGrid(m.input, t), label: dihedralGrid(m.label, t), pathLength: m.pathLength };
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding (reference build_maze_dataset.py: token = index in "# SGo" + 1, 0 PAD) and text

/** Token ids of a maze grid, row-major (the cells already are token ids). */
export function encodeMaze(g: Grid): Int32Array {
  return Int32Array.from(g.cells);
}

/** Inverse of encodeMaze for an n×n maze; rejects PAD and ids outside the vocabulary, naming the cell. */
export function decodeMaze(tokens: ArrayLike<number>, n: number): Grid {
  if (tokens.length !== n * n) {
    throw new RangeError(`${tokens.length} tokens do not make a ${n}×${n} maze (${n * n} expected)`);
  }
  const g = makeGrid(n, n);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!Number.isInteger(t) || t < WALL || t > PATH) {
      const at = `row ${Math.floor(i / n) + 1} col ${(i % n) + 1}`;
      throw new RangeError(`token ${t} at ${at} is not a maze token ${WALL}..${PATH}`);
    }
    g.cells[i] = t;
  }
  return g;
}

/** Inputs = the maze, labels = the maze with its path (every cell supervised), puzzle id 0 as the reference. */
export function mazeExample(m: Maze): Example {
  return { inputs: encodeMaze(m.input), labels: encodeMaze(m.label), puzzleId: 0 };
}

export function mazeDatasetInfo(n: number): DatasetInfo {
  return { name: `maze-${n}x${n}`, seqLen: n * n, vocabSize: MAZE_VOCAB_SIZE, numPuzzleIds: 1 };
}

/** One line per row in the charset "# SGo", newline-terminated. Note that open cells are spaces. */
export function mazeToText(g: Grid): string {
  let s = '';
  for (let r = 0; r < g.h; r++) {
    for (let c = 0; c < g.w; c++) s += MAZE_CHARSET[g.cells[r * g.w + c] - 1];
    s += '\n';
  }
  return s;
}

/**
 * Reads mazeToText's format (an input, or a label with 'o' cells): equal-length lines of "# SGo" with exactly one
 * S and one G. A final newline is optional. Errors name the line and column (1-based).
 */
export function parseMazeText(text: string, name = 'maze text'): Grid {
  const fail = (problem: string): never => {
    throw new InputError(`${name}: ${problem}`);
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark from a Windows editor
  const lines = body.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const h = lines.length;
  const w = lines[0].length;
  if (w === 0) fail(`line 1: empty; a maze needs at least one cell${body.trim() === '' ? ' (the file holds no maze)' : ''}`);
  if (h > MAX_GRID_SIDE || w > MAX_GRID_SIDE) fail(`${h}×${w} is larger than ${MAX_GRID_SIDE}×${MAX_GRID_SIDE}`);
  const g = makeGrid(h, w);
  const seen: Record<string, string> = {};
  lines.forEach((line, r) => {
    if (line.length !== w) {
      const hint = line.length < w ? ' (were trailing spaces, which are open cells, stripped?)' : '';
      fail(`line ${r + 1}: ${line.length} characters, expected ${w} like line 1${hint}`);
    }
    for (let c = 0; c < w; c++) {
      const ch = line[c];
      const at = `line ${r + 1} col ${c + 1}`;
      const code = MAZE_CHARSET.indexOf(ch) + 1;
      if (code === 0) {
        const shown = ch >= '!' && ch <= '~' ? `'${ch}'` : quote(ch); // control characters escaped
        fail(`${at}: ${shown} is not one of '#', ' ', 'S', 'G', 'o'`);
      }
      if (code === START || code === GOAL) {
        if (seen[ch]) fail(`${at}: a second '${ch}' (the first is at ${seen[ch]})`);
        seen[ch] = at;
      }
      g.cells[r * w + c] = code;
    }
  });
  for (const ch of ['S', 'G']) if (!seen[ch]) fail(`no '${ch}' anywhere`);
  return g;
}

export interface MazeTarget {
  /** The maze as the model reads it: a drawn path's 'o' cells are open. */
  input: Grid;
  /**
   * The file's own path when it draws one (unique: it is the one asked for), else one shortest path by BFS
   * (unique when it is the only one); null when G cannot be reached.
   */
  solution: MazeSolution | null;
}

/**
 * A parsed maze text as what to score against. A drawn path must be a shortest S→G path, or scoring against it
 * would mark a shorter answer wrong; errors name the file.
 */
export function mazeTarget(g: Grid, name: string): MazeTarget {
  if (!g.cells.includes(PATH)) return { input: g, solution: solveMaze(g) };
  const input = { ...g, cells: g.cells.map((v) => (v === PATH ? OPEN : v)) };
  const best = solveMaze(input);
  if (!best) throw new InputError(`${name}: the goal cannot be reached from the start, yet the maze draws a path`);
  // Walk only S, G and the drawn cells: a shortest path there that uses every 'o' cell is the drawn one.
  const drawn = solveMaze({ ...g, cells: g.cells.map((v) => (v === OPEN ? WALL : v)) });
  const cells = g.cells.reduce((k, v) => k + (v === PATH ? 1 : 0), 0);
  if (!drawn || drawn.pathLength !== best.pathLength || cells !== best.pathLength - 1) {
    throw new InputError(`${name}: the 'o' cells (${cells}) are not one shortest path from S to G (${best.pathLength} moves, so ${best.pathLength - 1} 'o' cells)`);
  }
  return { input, solution: { label: g, pathLength: best.pathLength, unique: true } };
}
