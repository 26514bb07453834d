/** Inclusive cell rectangles (rows r0..r1, columns c0..c1), shared by the grid view and the editors. */
export interface CellRect {
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

/** The rectangle spanned by two corner cells in any order. */
export function spanRect(ar: number, ac: number, br: number, bc: number): CellRect {
  return { r0: Math.min(ar, br), c0: Math.min(ac, bc), r1: Math.max(ar, br), c1: Math.max(ac, bc) };
}

export function rectHeight(r: CellRect): number {
  return r.r1 - r.r0 + 1;
}

export function rectWidth(r: CellRect): number {
  return r.c1 - r.c0 + 1;
}

export function inRect(r: CellRect, row: number, col: number): boolean {
  return row >= r.r0 && row <= r.r1 && col >= r.c0 && col <= r.c1;
}

/** The part of `r` inside an h×w grid, or null when none is. */
export function clipRect(r: CellRect, h: number, w: number): CellRect | null {
  const out = { r0: Math.max(0, r.r0), c0: Math.max(0, r.c0), r1: Math.min(h - 1, r.r1), c1: Math.min(w - 1, r.c1) };
  return out.r0 > out.r1 || out.c0 > out.c1 ? null : out;
}
