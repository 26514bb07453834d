/**
 * The reference ARC canvas encoding (HRM/TRM `np_grid_to_seq_translational_augment`) on an N×N canvas:
 * PAD 0, EOS 1, colour c → c + 2 (vocabulary 12). A grid sits at (row, col) = offset; EOS fills the row just below
 * it (grid-width long) and the column just right of it (grid-height long), each only where it is still inside the
 * canvas; the corner cell diagonal to the grid stays PAD. N = 30 for ARC-AGI; smaller canvases (6 for Mini-ARC's
 * 5×5, 10 for small tasks) keep the same scheme.
 */
import { type Grid, type Pair, makeGrid } from './grid';
import { type Example, IGNORE_LABEL } from './dataset';

export const PAD = 0;
export const EOS = 1;
/** Token of colour c is c + COLOR_OFFSET. */
export const COLOR_OFFSET = 2;
export const ARC_VOCAB_SIZE = 12;
export const ARC_CANVAS_SIDE = 30;

export interface Offset {
  row: number;
  col: number;
}

export const ORIGIN: Offset = { row: 0, col: 0 };

export class CanvasFitError extends RangeError {
  override name = 'CanvasFitError';
}

/** `where` (e.g. "task 007bbfb7, train pair 2") is prefixed to the message. */
function fitError(where: string | undefined, what: string): never {
  throw new CanvasFitError(where ? `${where}: ${what}` : what);
}

/**
 * Largest translation offsets for a pair on a side×side canvas: the larger of input/output must fit
 * (reference: pad_r ~ U{0 .. side - max(h_in, h_out)}, likewise for columns).
 */
export function maxOffset(input: Grid, output: Grid | undefined, side: number, where?: string): Offset {
  const h = Math.max(input.h, output?.h ?? 0);
  const w = Math.max(input.w, output?.w ?? 0);
  for (const [name, g] of [['input', input], ['output', output]] as const)
    if (g && (g.h > side || g.w > side)) fitError(where, `${name} ${g.h}x${g.w} does not fit the ${side}x${side} canvas`);
  return { row: side - h, col: side - w };
}

/** Encode one grid at `offset` into a side×side canvas (row-major Int32Array). */
export function encodeGrid(g: Grid, side: number, offset: Offset = ORIGIN, where?: string): Int32Array {
  const { row: r0, col: c0 } = offset;
  if (!Number.isInteger(r0) || !Number.isInteger(c0) || r0 < 0 || c0 < 0 || r0 + g.h > side || c0 + g.w > side)
    fitError(where, `grid ${g.h}x${g.w} at offset (${r0}, ${c0}) does not fit the ${side}x${side} canvas`);
  const out = new Int32Array(side * side); // PAD everywhere
  for (let r = 0; r < g.h; r++)
    for (let c = 0; c < g.w; c++) out[(r0 + r) * side + c0 + c] = g.cells[r * g.w + c] + COLOR_OFFSET;
  const eosRow = r0 + g.h;
  const eosCol = c0 + g.w;
  if (eosRow < side) for (let c = c0; c < eosCol; c++) out[eosRow * side + c] = EOS;
  if (eosCol < side) for (let r = r0; r < eosRow; r++) out[r * side + eosCol] = EOS;
  return out;
}

/** Labels from an encoded output canvas: PAD → IGNORE_LABEL (no loss); EOS and colours stay supervised. */
export function labelsFromCanvas(canvas: Int32Array): Int32Array {
  return canvas.map((t) => (t === PAD ? IGNORE_LABEL : t));
}

/**
 * One training/eval example: input and output encoded at the same offset. A pair without an output (a test input
 * whose answer is unknown) gets labels that are all IGNORE_LABEL.
 */
export function encodePair(pair: Pair, side: number, opts: { offset?: Offset; puzzleId?: number; where?: string } = {}): Example {
  const at = (grid: string) => (opts.where ? `${opts.where}, ${grid}` : grid);
  return {
    inputs: encodeGrid(pair.input, side, opts.offset, at('input')),
    labels: pair.output
      ? labelsFromCanvas(encodeGrid(pair.output, side, opts.offset, at('output')))
      : new Int32Array(side * side).fill(IGNORE_LABEL),
    puzzleId: opts.puzzleId ?? 0,
  };
}

/**
 * Decode a (predicted) canvas to a grid, exactly as TRM evaluators/arc.py `_crop`: scanning rows downward from
 * the origin, the width w_r of row r is the running minimum of "number of colour tokens (2..11) before the first
 * non-colour token", each row scanning only up to the previous width; the result is the r×w_r rectangle of largest
 * area (the first one on ties, i.e. the fewest rows), minus 2. Rows keep being scanned after a width of 0, which
 * can never win. A canvas whose origin cell is not a colour decodes to a 0×0 grid, as in the reference.
 * `origin` generalises the reference's fixed top-left (0, 0) to a known translation offset; the scan then stops at
 * the canvas edge.
 */
export function decodeCanvas(tokens: ArrayLike<number>, side: number, origin: Offset = ORIGIN): Grid {
  if (tokens.length !== side * side) throw new RangeError(`canvas has ${tokens.length} tokens, expected ${side}x${side}`);
  const { row: r0, col: c0 } = origin;
  const isColour = (t: number) => t >= COLOR_OFFSET && t <= COLOR_OFFSET + 9;
  let width = side - c0;
  let best = { h: 0, w: 0, area: 0 };
  for (let h = 1; h <= side - r0; h++) {
    const rowStart = (r0 + h - 1) * side + c0;
    for (let c = 0; c < width; c++)
      if (!isColour(tokens[rowStart + c])) {
        width = c;
        break;
      }
    if (h * width > best.area) best = { h, w: width, area: h * width };
  }
  const g = makeGrid(best.h, best.w);
  for (let r = 0; r < best.h; r++)
    for (let c = 0; c < best.w; c++) g.cells[r * best.w + c] = tokens[(r0 + r) * side + c0 + c] - COLOR_OFFSET;
  return g;
}
