/**
 * Shared pieces of the procedural ARC-like generators: a seeded sampler with a RE-ARC-style difficulty knob,
 * concatenation, random shapes, non-touching placement and connected components (dihedral transforms come
 * from ../dihedral).
 * General grid helpers live here (not in grid.ts) because only the generators and their checkers use them.
 */
import { at, makeGrid, set, type Grid } from '../grid';

/** A cell position [row, col]. */
export type Cell = readonly [number, number];

/** Seeded randomness plus the task's difficulty (0..1) and its largest allowed grid side. */
export class Sampler {
  constructor(
    readonly rand: () => number,
    readonly difficulty: number,
    readonly maxSide: number,
  ) {}

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.rand() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const a = items.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  /**
   * Difficulty-scaled integer in [lo, hi] (RE-ARC's unifint idea): a position u is drawn from the window
   * [0.6·d, 0.6·d + 0.4], so difficulty 0 favours the low end, 1 the high end, and the windows overlap.
   */
  scaled(lo: number, hi: number): number {
    if (hi <= lo) return lo;
    const u = 0.6 * this.difficulty + 0.4 * this.rand();
    return Math.min(hi, lo + Math.floor(u * (hi - lo + 1)));
  }

  /** A grid side in [lo, min(hi, maxSide)], difficulty-scaled; never above maxSide, even when lo is. */
  side(lo: number, hi = this.maxSide): number {
    const top = Math.min(hi, this.maxSide);
    return this.scaled(Math.min(lo, top), top);
  }

  /** `n` distinct colours from 0..9, none in `exclude` (background 0 is excluded by default). */
  colours(n: number, exclude: readonly number[] = [0]): number[] {
    const pool = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((c) => !exclude.includes(c));
    if (n > pool.length) throw new Error(`cannot draw ${n} colours outside [${exclude.join(',')}]`);
    return this.shuffle(pool).slice(0, n);
  }

  colour(exclude: readonly number[] = [0]): number {
    return this.colours(1, exclude)[0];
  }
}

/** A grid whose cell (r, c) is f(r, c). */
export function gridOf(h: number, w: number, f: (r: number, c: number) => number): Grid {
  const g = makeGrid(h, w);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) set(g, r, c, f(r, c));
  return g;
}

/** Random sparse content: each cell is, with probability `density`, one of `colours`, else background 0. */
export function randomFill(s: Sampler, h: number, w: number, colours: readonly number[], density: number): Grid {
  return gridOf(h, w, () => (s.chance(density) ? s.pick(colours) : 0));
}

export function isUniform(g: Grid): boolean {
  return g.cells.every((v) => v === g.cells[0]);
}

export function countColour(g: Grid, colour: number): number {
  let n = 0;
  for (const v of g.cells) if (v === colour) n++;
  return n;
}

export function cropGrid(g: Grid, r0: number, c0: number, h: number, w: number): Grid {
  return gridOf(h, w, (r, c) => at(g, r0 + r, c0 + c));
}

export function paint(g: Grid, cells: readonly Cell[], colour: number): void {
  for (const [r, c] of cells) set(g, r, c, colour);
}

export function inGrid(g: { h: number; w: number }, r: number, c: number): boolean {
  return r >= 0 && r < g.h && c >= 0 && c < g.w;
}

/** Side-by-side (axis 'h') or stacked (axis 'v') concatenation of equally sized grids. */
export function concat(parts: readonly Grid[], axis: 'h' | 'v'): Grid {
  const { h, w } = parts[0];
  return axis === 'h'
    ? gridOf(h, w * parts.length, (r, c) => at(parts[Math.floor(c / w)], r, c % w))
    : gridOf(h * parts.length, w, (r, c) => at(parts[Math.floor(r / h)], r % h, c));
}

/** A random 4-connected shape of `size` cells inside an h×w box, normalised so its top-left bound is (0, 0). */
export function randomShape(s: Sampler, h: number, w: number, size: number): Cell[] {
  if (size > h * w) throw new Error(`a ${size}-cell shape does not fit a ${h}x${w} box`);
  const taken = new Set<number>();
  const cells: Cell[] = [];
  const add = (r: number, c: number) => {
    taken.add(r * w + c);
    cells.push([r, c]);
  };
  add(s.int(0, h - 1), s.int(0, w - 1));
  while (cells.length < size) {
    const frontier: Cell[] = [];
    for (const [r, c] of cells)
      for (const [dr, dc] of ORTHO) {
        const nr = r + dr, nc = c + dc;
        if (nr >= 0 && nr < h && nc >= 0 && nc < w && !taken.has(nr * w + nc)) frontier.push([nr, nc]);
      }
    const [r, c] = s.pick(frontier);
    add(r, c);
  }
  const b = bounds(cells);
  return translate(cells, -b.r0, -b.c0);
}

export function bounds(cells: readonly Cell[]): { r0: number; c0: number; h: number; w: number } {
  const rs = cells.map((p) => p[0]);
  const cs = cells.map((p) => p[1]);
  const r0 = Math.min(...rs), c0 = Math.min(...cs);
  return { r0, c0, h: Math.max(...rs) - r0 + 1, w: Math.max(...cs) - c0 + 1 };
}

export function rectCells(r0: number, c0: number, h: number, w: number): Cell[] {
  const out: Cell[] = [];
  for (let r = r0; r < r0 + h; r++) for (let c = c0; c < c0 + w; c++) out.push([r, c]);
  return out;
}

export function translate(cells: readonly Cell[], dr: number, dc: number): Cell[] {
  return cells.map(([r, c]) => [r + dr, c + dc] as const);
}

export const ORTHO: readonly Cell[] = [[-1, 0], [1, 0], [0, -1], [0, 1]];
const DIAG: readonly Cell[] = [[-1, -1], [-1, 1], [1, -1], [1, 1]];
export const KING: readonly Cell[] = [...ORTHO, ...DIAG];

/** Occupancy for placing objects that must not overlap or touch: a cell is free until taken or haloed. */
export class Layout {
  private readonly blocked: Uint8Array;

  constructor(
    readonly h: number,
    readonly w: number,
  ) {
    this.blocked = new Uint8Array(h * w);
  }

  private isFree(r: number, c: number): boolean {
    return inGrid(this, r, c) && !this.blocked[r * this.w + c];
  }

  /** A random offset at which every cell of the (normalised) shape is free, or null when none exists. */
  spot(s: Sampler, shape: readonly Cell[]): Cell | null {
    const b = bounds(shape);
    const options: Cell[] = [];
    for (let r = 0; r + b.h <= this.h; r++)
      for (let c = 0; c + b.w <= this.w; c++)
        if (shape.every(([dr, dc]) => this.isFree(r + dr, c + dc))) options.push([r, c]);
    return options.length ? s.pick(options) : null;
  }

  /** Mark absolute cells, and every cell within Chebyshev distance `halo` of them, as used. */
  take(cells: readonly Cell[], halo: number): void {
    for (const [r, c] of cells)
      for (let dr = -halo; dr <= halo; dr++)
        for (let dc = -halo; dc <= halo; dc++)
          if (inGrid(this, r + dr, c + dc)) this.blocked[(r + dr) * this.w + c + dc] = 1;
  }

  /** Place a shape at a random free spot, reserving it plus `halo`; returns its absolute cells or null. */
  place(s: Sampler, shape: readonly Cell[], halo: number): Cell[] | null {
    const at0 = this.spot(s, shape);
    if (!at0) return null;
    const cells = translate(shape, at0[0], at0[1]);
    this.take(cells, halo);
    return cells;
  }
}

/** A connected set of cells (flat indices r·w + c) and its colour (-1 when it mixes colours). */
export interface Component {
  colour: number;
  cells: number[];
}

/**
 * Connected components of the non-background cells. `sameColour` splits touching cells of different colours;
 * `diagonal` makes the 8 neighbours adjacent instead of the 4 orthogonal ones.
 */
export function components(g: Grid, opts: { diagonal: boolean; sameColour: boolean; background?: number }): Component[] {
  const bg = opts.background ?? 0;
  const steps = opts.diagonal ? KING : ORTHO;
  const seen = new Uint8Array(g.h * g.w);
  const out: Component[] = [];
  for (let start = 0; start < g.cells.length; start++) {
    if (seen[start] || g.cells[start] === bg) continue;
    const colour = g.cells[start];
    const cells = [start];
    seen[start] = 1;
    let mixed = false;
    for (let k = 0; k < cells.length; k++) {
      const r = Math.floor(cells[k] / g.w), c = cells[k] % g.w;
      for (const [dr, dc] of steps) {
        const nr = r + dr, nc = c + dc;
        if (!inGrid(g, nr, nc)) continue;
        const i = nr * g.w + nc;
        const v = g.cells[i];
        if (seen[i] || v === bg || (opts.sameColour && v !== colour)) continue;
        if (v !== colour) mixed = true;
        seen[i] = 1;
        cells.push(i);
      }
    }
    out.push({ colour: mixed ? -1 : colour, cells });
  }
  return out;
}

/** Why `actual` differs from `expected` (its size, or the first differing cell), or null when they are equal. */
export function mismatch(actual: Grid, expected: Grid): string | null {
  if (actual.h !== expected.h || actual.w !== expected.w)
    return `output is ${actual.h}x${actual.w}, expected ${expected.h}x${expected.w}`;
  for (let i = 0; i < expected.cells.length; i++)
    if (actual.cells[i] !== expected.cells[i])
      return `output (${Math.floor(i / expected.w)},${i % expected.w}) is ${actual.cells[i]}, expected ${expected.cells[i]}`;
  return null;
}
