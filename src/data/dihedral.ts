/**
 * The 8 dihedral transforms with the reference's numbering (TRM dataset/common.py::dihedral_transform, NumPy
 * semantics on a row-major h×w array):
 *   0 identity            1 np.rot90 k=1 (90° counter-clockwise)   2 rot180            3 np.rot90 k=3 (90° clockwise)
 *   4 np.fliplr (mirror)  5 np.flipud                               6 transpose (.T)    7 fliplr(rot90) (anti-transpose)
 * Transforms 1, 3, 6 and 7 swap the height and the width.
 */
import type { Grid } from './grid';

export type DihedralId = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const DIHEDRAL_IDS: readonly DihedralId[] = [0, 1, 2, 3, 4, 5, 6, 7];

/** DIHEDRAL_INVERSE[t] undoes t (the reference table): rot90 ↔ rot270; the others are their own inverse. */
export const DIHEDRAL_INVERSE: readonly DihedralId[] = [0, 3, 2, 1, 4, 5, 6, 7];

export const DIHEDRAL_NAMES: readonly string[] = [
  'identity', 'rot90 ccw', 'rot180', 'rot270 ccw', 'flip left-right', 'flip up-down', 'transpose', 'anti-transpose',
];

export function isDihedralId(t: number): t is DihedralId {
  return Number.isInteger(t) && t >= 0 && t < 8;
}

function check(t: number): asserts t is DihedralId {
  if (!isDihedralId(t)) throw new RangeError(`dihedral transform id ${t} is not an integer 0..7`);
}

/** Shape [h', w'] of an h×w array after transform t. */
export function dihedralShape(t: DihedralId, h: number, w: number): [number, number] {
  return t === 1 || t === 3 || t === 6 || t === 7 ? [w, h] : [h, w];
}

/**
 * Where output cell (i, j) of transform t reads from in the row-major h×w input: index base + i·di + j·dj
 * (an affine map, so the loops below need no per-cell branching).
 */
export function dihedralSourceMap(t: DihedralId, h: number, w: number): { base: number; di: number; dj: number } {
  const last = (h - 1) * w; // start of the input's last row
  switch (t) {
    case 0: return { base: 0, di: w, dj: 1 }; //                   out[i][j] = a[i][j]
    case 1: return { base: w - 1, di: -1, dj: w }; //              out[i][j] = a[j][w-1-i]
    case 2: return { base: last + w - 1, di: -w, dj: -1 }; //      out[i][j] = a[h-1-i][w-1-j]
    case 3: return { base: last, di: 1, dj: -w }; //               out[i][j] = a[h-1-j][i]
    case 4: return { base: w - 1, di: w, dj: -1 }; //              out[i][j] = a[i][w-1-j]
    case 5: return { base: last, di: -w, dj: 1 }; //               out[i][j] = a[h-1-i][j]
    case 6: return { base: 0, di: 1, dj: w }; //                   out[i][j] = a[j][i]
    case 7: return { base: last + w - 1, di: -1, dj: -w }; //      out[i][j] = a[h-1-j][w-1-i]
  }
}

/** Permute a row-major h×w array of cells (any typed array) by transform t; returns the new array and shape. */
function permute<T extends Uint8Array | Int32Array | Float32Array>(src: T, h: number, w: number, t: number): { out: T; h: number; w: number } {
  check(t);
  const [oh, ow] = dihedralShape(t, h, w);
  const { base, di, dj } = dihedralSourceMap(t, h, w);
  const out = src.slice() as T;
  let k = 0;
  for (let i = 0; i < oh; i++) for (let j = 0, s = base + i * di; j < ow; j++, s += dj) out[k++] = src[s];
  return { out, h: oh, w: ow };
}

export function dihedralGrid(g: Grid, t: number): Grid {
  const { out, h, w } = permute(g.cells, g.h, g.w, t);
  return { h, w, cells: out };
}

export function inverseDihedralGrid(g: Grid, t: number): Grid {
  check(t);
  return dihedralGrid(g, DIHEDRAL_INVERSE[t]);
}

/** Transform t of a square side×side token canvas (row-major), e.g. to show an encoded example in another frame. */
export function dihedralCanvas<T extends Uint8Array | Int32Array | Float32Array>(tokens: T, side: number, t: number): T {
  if (tokens.length !== side * side) throw new RangeError(`canvas has ${tokens.length} tokens, expected ${side}×${side}`);
  return permute(tokens, side, side, t).out;
}

export function inverseDihedralCanvas<T extends Uint8Array | Int32Array | Float32Array>(tokens: T, side: number, t: number): T {
  check(t);
  return dihedralCanvas(tokens, side, DIHEDRAL_INVERSE[t]);
}
