/** Immutable grid operations behind the ARC editor's tools; each returns a new grid. */
import { dihedralGrid } from '../../data/dihedral';
import { makeGrid, MAX_GRID_SIDE, type Grid } from '../../data/grid';
import { clipRect, rectHeight, rectWidth, type CellRect } from '../grid/rect';

/** The cells of `r` (inside g) as their own grid. */
export function blockOf(g: Grid, r: CellRect): Grid {
  const out = makeGrid(rectHeight(r), rectWidth(r));
  for (let i = 0; i < out.h; i++) out.cells.set(g.cells.subarray((r.r0 + i) * g.w + r.c0, (r.r0 + i) * g.w + r.c0 + out.w), i * out.w);
  return out;
}

/** `block` written with its top-left at (r0, c0); cells falling outside g are dropped. */
export function writeBlock(g: Grid, block: Grid, r0: number, c0: number): Grid {
  const out = { h: g.h, w: g.w, cells: g.cells.slice() };
  for (let i = 0; i < block.h; i++) {
    const r = r0 + i;
    if (r < 0 || r >= g.h) continue;
    for (let j = 0; j < block.w; j++) {
      const c = c0 + j;
      if (c >= 0 && c < g.w) out.cells[r * g.w + c] = block.cells[i * block.w + j];
    }
  }
  return out;
}

export function fillRect(g: Grid, r: CellRect, v: number): Grid {
  return writeBlock(g, makeGrid(rectHeight(r), rectWidth(r), v), r.r0, r.c0);
}

export function setCell(g: Grid, r: number, c: number, v: number): Grid {
  if (g.cells[r * g.w + c] === v) return g;
  const out = { h: g.h, w: g.w, cells: g.cells.slice() };
  out.cells[r * g.w + c] = v;
  return out;
}

/** The 4-connected region of (r, c)'s colour recoloured to v (the ARC interface's flood fill). */
export function floodFill(g: Grid, r: number, c: number, v: number): Grid {
  const from = g.cells[r * g.w + c];
  if (from === v) return g;
  const out = { h: g.h, w: g.w, cells: g.cells.slice() };
  const stack = [r * g.w + c];
  out.cells[stack[0]] = v;
  while (stack.length) {
    const i = stack.pop()!;
    const rr = Math.floor(i / g.w), cc = i % g.w;
    for (const [nr, nc] of [[rr - 1, cc], [rr + 1, cc], [rr, cc - 1], [rr, cc + 1]]) {
      if (nr < 0 || nr >= g.h || nc < 0 || nc >= g.w) continue;
      const k = nr * g.w + nc;
      if (out.cells[k] !== from) continue;
      out.cells[k] = v;
      stack.push(k);
    }
  }
  return out;
}

/** h×w with the old content kept at the top-left (clipped), new cells 0 — as the ARC interface resizes. */
export function resizeGrid(g: Grid, h: number, w: number): Grid {
  return writeBlock(makeGrid(h, w), g, 0, 0);
}

export function validSide(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_GRID_SIDE;
}

/** Geometric transforms in the reference's dihedral numbering (src/data/dihedral.ts). */
export const TRANSFORMS = { flipX: 4, flipY: 5, rotateCw: 3, rotateCcw: 1 } as const;
export type TransformName = keyof typeof TRANSFORMS;

/**
 * Transform the block under `r` in place: the old area is cleared to 0 and the transformed block is written
 * from the same top-left (clipped). Returns the grid and the area the block now covers (null if none).
 */
export function transformRect(g: Grid, r: CellRect, t: TransformName): { grid: Grid; rect: CellRect | null } {
  const block = dihedralGrid(blockOf(g, r), TRANSFORMS[t]);
  const grid = writeBlock(fillRect(g, r, 0), block, r.r0, r.c0);
  return { grid, rect: clipRect({ r0: r.r0, c0: r.c0, r1: r.r0 + block.h - 1, c1: r.c0 + block.w - 1 }, g.h, g.w) };
}

/** The block under `r` moved by (dr, dc), its old area cleared to 0; null when it would leave the grid. */
export function moveRect(g: Grid, r: CellRect, dr: number, dc: number): { grid: Grid; rect: CellRect } | null {
  const to = { r0: r.r0 + dr, c0: r.c0 + dc, r1: r.r1 + dr, c1: r.c1 + dc };
  if (to.r0 < 0 || to.c0 < 0 || to.r1 >= g.h || to.c1 >= g.w) return null;
  return { grid: writeBlock(fillRect(g, r, 0), blockOf(g, r), to.r0, to.c0), rect: to };
}
