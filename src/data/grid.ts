/** An ARC grid: h×w colours 0..9, row-major. Immutable by convention: transforms return new grids. */
export interface Grid {
  readonly h: number;
  readonly w: number;
  readonly cells: Uint8Array;
}

export const MAX_GRID_SIDE = 30;

export function makeGrid(h: number, w: number, fill = 0): Grid {
  return { h, w, cells: new Uint8Array(h * w).fill(fill) };
}

export function fromRows(rows: readonly (readonly number[])[]): Grid {
  const h = rows.length;
  const w = h ? rows[0].length : 0;
  const g = makeGrid(h, w);
  rows.forEach((r, i) => r.forEach((v, j) => (g.cells[i * w + j] = v)));
  return g;
}

export function toRows(g: Grid): number[][] {
  return Array.from({ length: g.h }, (_, i) => Array.from(g.cells.subarray(i * g.w, (i + 1) * g.w)));
}

export function at(g: Grid, r: number, c: number): number {
  return g.cells[r * g.w + c];
}

export function set(g: Grid, r: number, c: number, v: number): void {
  g.cells[r * g.w + c] = v;
}

export function cloneGrid(g: Grid): Grid {
  return { h: g.h, w: g.w, cells: g.cells.slice() };
}

export function gridEquals(a: Grid, b: Grid): boolean {
  if (a.h !== b.h || a.w !== b.w) return false;
  for (let i = 0; i < a.cells.length; i++) if (a.cells[i] !== b.cells[i]) return false;
  return true;
}

/** A compact key (shape + cells) for hashing and de-duplication. */
export function gridKey(g: Grid): string {
  return `${g.h}x${g.w}:${Array.from(g.cells).join('')}`;
}

/** One demonstration or test pair. `output` is absent for a test input whose solution is unknown. */
export interface Pair {
  input: Grid;
  output?: Grid;
}

/** An ARC task: demonstration pairs and test pairs. */
export interface ArcTask {
  id: string;
  train: Pair[];
  test: Pair[];
}
