import { describe, expect, it } from 'vitest';
import {
  CanvasFitError, EOS, PAD, type Offset, decodeCanvas, encodeGrid, encodePair, labelsFromCanvas, maxOffset,
} from '../../src/data/arc-encoding';
import { IGNORE_LABEL } from '../../src/data/dataset';
import { type Grid, fromRows, gridEquals, makeGrid, toRows } from '../../src/data/grid';
import { mulberry32 } from '../../src/nn/init';

function randomGrid(h: number, w: number, rng: () => number): Grid {
  const g = makeGrid(h, w);
  for (let i = 0; i < g.cells.length; i++) g.cells[i] = Math.floor(rng() * 10);
  return g;
}

/** The rules of the encoding cell by cell (arc-data-and-editors.md §3.2), independent of the encoder's loops. */
function expectedToken(g: Grid, side: number, o: Offset, r: number, c: number): number {
  const inRows = r >= o.row && r < o.row + g.h;
  const inCols = c >= o.col && c < o.col + g.w;
  if (inRows && inCols) return g.cells[(r - o.row) * g.w + (c - o.col)] + 2;
  if (r === o.row + g.h && inCols) return EOS; // bar under the grid
  if (c === o.col + g.w && inRows) return EOS; // bar right of the grid
  return PAD;
}

function rows(tokens: ArrayLike<number>, side: number): number[][] {
  return Array.from({ length: side }, (_, r) => Array.from({ length: side }, (_, c) => tokens[r * side + c]));
}

describe('canvas encoding', () => {
  it('reproduces the §3.2 example: [[0,1,2],[3,4,5]] at (0,0) on an 8x8 canvas', () => {
    const z = [0, 0, 0, 0, 0, 0, 0, 0];
    expect(rows(encodeGrid(fromRows([[0, 1, 2], [3, 4, 5]]), 8), 8)).toEqual([
      [2, 3, 4, 1, 0, 0, 0, 0],
      [5, 6, 7, 1, 0, 0, 0, 0],
      [1, 1, 1, 0, 0, 0, 0, 0],
      z, z, z, z, z,
    ]);
  });

  const cases: [string, number, number, number, Offset][] = [
    // name, side, h, w, offset
    ['inside, at the origin', 30, 3, 4, { row: 0, col: 0 }],
    ['inside, translated', 30, 3, 4, { row: 7, col: 11 }],
    ['touching the bottom border', 10, 4, 3, { row: 6, col: 2 }],
    ['touching the right border', 10, 4, 3, { row: 1, col: 7 }],
    ['in the bottom-right corner', 10, 4, 3, { row: 6, col: 7 }],
    ['filling the whole canvas', 6, 6, 6, { row: 0, col: 0 }],
    ['a 5x5 on the Mini-ARC 6x6 canvas', 6, 5, 5, { row: 0, col: 0 }],
    ['a 5x5 on a 6x6 canvas, shifted', 6, 5, 5, { row: 1, col: 1 }],
    ['1x1 in the last cell', 5, 1, 1, { row: 4, col: 4 }],
    ['a full-height column', 30, 30, 1, { row: 0, col: 12 }],
  ];

  it.each(cases)('%s: every cell follows the rules, and it decodes back from its offset', (_, side, h, w, o) => {
    const g = randomGrid(h, w, mulberry32(h * 31 + w));
    const canvas = encodeGrid(g, side, o);
    expect(canvas).toHaveLength(side * side);
    for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) expect(canvas[r * side + c]).toBe(expectedToken(g, side, o, r, c));
    expect(gridEquals(decodeCanvas(canvas, side, o), g)).toBe(true);
    if (o.row === 0 && o.col === 0) expect(gridEquals(decodeCanvas(canvas, side), g)).toBe(true);
  });

  it('round-trips random grids at every offset on small canvases', () => {
    const rng = mulberry32(7);
    for (const side of [3, 6, 10])
      for (let t = 0; t < 40; t++) {
        const g = randomGrid(1 + Math.floor(rng() * side), 1 + Math.floor(rng() * side), rng);
        for (let row = 0; row <= side - g.h; row++)
          for (let col = 0; col <= side - g.w; col++) {
            const canvas = encodeGrid(g, side, { row, col });
            expect(toRows(decodeCanvas(canvas, side, { row, col }))).toEqual(toRows(g));
          }
      }
  });

  it('labels: PAD ignored, EOS and colours supervised', () => {
    const g = fromRows([[0, 9], [4, 4], [7, 0]]);
    const canvas = encodeGrid(g, 6, { row: 1, col: 2 });
    const labels = labelsFromCanvas(canvas);
    for (let i = 0; i < canvas.length; i++) expect(labels[i]).toBe(canvas[i] === PAD ? IGNORE_LABEL : canvas[i]);
    expect(labels.filter((v) => v === EOS)).toHaveLength(2 + 3); // bar under (width 2) + bar right (height 3)
    expect(labels.filter((v) => v >= 2)).toHaveLength(6);
    expect(labels.filter((v) => v === IGNORE_LABEL)).toHaveLength(36 - 11);
  });

  it('pairs share one offset; the label is the encoded output; a pair without output is all ignored', () => {
    const input = fromRows([[1, 2, 3]]);
    const output = fromRows([[5], [6]]);
    const ex = encodePair({ input, output }, 6, { offset: { row: 2, col: 1 }, puzzleId: 17 });
    expect(ex.puzzleId).toBe(17);
    expect(Array.from(ex.inputs)).toEqual(Array.from(encodeGrid(input, 6, { row: 2, col: 1 })));
    expect(Array.from(ex.labels)).toEqual(Array.from(labelsFromCanvas(encodeGrid(output, 6, { row: 2, col: 1 }))));
    const blind = encodePair({ input }, 6);
    expect(blind.labels.every((v) => v === IGNORE_LABEL)).toBe(true);
    expect(blind.puzzleId).toBe(0);
  });

  it('a grid that does not fit names the task, pair, grid size and canvas size', () => {
    const where = 'task 007bbfb7, train pair 1';
    const pair = { input: makeGrid(3, 3), output: makeGrid(7, 3) };
    expect(() => encodePair(pair, 6, { where })).toThrow(CanvasFitError);
    expect(() => encodePair(pair, 6, { where })).toThrow(
      'task 007bbfb7, train pair 1, output: grid 7x3 at offset (0, 0) does not fit the 6x6 canvas',
    );
    expect(() => encodePair({ input: makeGrid(3, 3), output: makeGrid(3, 3) }, 6, { where, offset: { row: 4, col: 0 } })).toThrow(
      'task 007bbfb7, train pair 1, input: grid 3x3 at offset (4, 0) does not fit the 6x6 canvas',
    );
    expect(() => maxOffset(makeGrid(2, 31), makeGrid(2, 2), 30, where)).toThrow(
      'task 007bbfb7, train pair 1: input 2x31 does not fit the 30x30 canvas',
    );
    expect(maxOffset(makeGrid(2, 5), makeGrid(4, 3), 10)).toEqual({ row: 6, col: 5 });
  });
});

/**
 * Brute-force `_crop`: the largest-area h×w rectangle at the origin whose cells are all colour tokens, the fewest
 * rows winning ties (the reference's strict `area > max_area` while scanning rows downward).
 */
function bruteCrop(tokens: ArrayLike<number>, side: number): [number, number] {
  const colour = (r: number, c: number) => tokens[r * side + c] >= 2 && tokens[r * side + c] <= 11;
  let best: [number, number] = [0, 0];
  for (let h = 1; h <= side; h++)
    for (let w = 1; w <= side; w++) {
      let all = true;
      for (let r = 0; r < h && all; r++) for (let c = 0; c < w && all; c++) all = colour(r, c);
      if (all && h * w > best[0] * best[1]) best = [h, w];
    }
  return best;
}

describe('decoding a predicted canvas (reference _crop)', () => {
  const canvas = (rs: number[][]) => Int32Array.from(rs.flat());

  it('ragged predictions: keeps the max-area rectangle, fewest rows on ties', () => {
    // Row colour runs 3, 3, 2, then EOS: areas 3, 6, 6 → 2x3 (the 3x2 ties and loses).
    const g = decodeCanvas(canvas([
      [2, 3, 4, 1, 0],
      [5, 6, 7, 1, 0],
      [8, 9, 1, 11, 0],
      [1, 1, 1, 0, 0],
      [0, 0, 0, 0, 0],
    ]), 5);
    expect(toRows(g)).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('a narrower lower block can win by area', () => {
    // runs 3, 3, 2, 2, 2 → areas 3, 6, 6, 8, 10 → 5x2.
    const g = decodeCanvas(canvas([
      [2, 3, 4, 1, 0],
      [5, 6, 7, 1, 0],
      [8, 9, 1, 0, 0],
      [2, 3, 1, 0, 0],
      [4, 5, 1, 0, 0],
    ]), 5);
    expect(toRows(g)).toEqual([[0, 1], [3, 4], [6, 7], [0, 1], [2, 3]]);
  });

  it('a short first row limits every rectangle anchored at the origin', () => {
    // runs 1, 5, 5, 5, 5 → running widths all 1 → 5x1.
    const g = decodeCanvas(canvas([
      [2, 0, 2, 2, 2],
      [3, 3, 3, 3, 3],
      [4, 4, 4, 4, 4],
      [5, 5, 5, 5, 5],
      [6, 6, 6, 6, 6],
    ]), 5);
    expect(toRows(g)).toEqual([[0], [1], [2], [3], [4]]);
  });

  it('tokens outside 2..11 end a row; a non-colour origin decodes to 0x0', () => {
    expect(toRows(decodeCanvas(canvas([[2, 12, 2], [2, 2, 2], [2, 2, 2]]), 3))).toEqual([[0], [0], [0]]);
    const empty = decodeCanvas(canvas([[1, 2], [2, 2]]), 2);
    expect([empty.h, empty.w]).toEqual([0, 0]);
  });

  it('agrees with a brute-force search on random noisy canvases', () => {
    const rng = mulberry32(11);
    for (let t = 0; t < 300; t++) {
      const side = 2 + Math.floor(rng() * 7);
      // Mostly colours, some PAD/EOS/out-of-range tokens, so widths vary row to row.
      const tokens = Int32Array.from({ length: side * side }, () => (rng() < 0.12 ? [0, 1, 12][Math.floor(rng() * 3)] : 2 + Math.floor(rng() * 10)));
      const g = decodeCanvas(tokens, side);
      expect([g.h, g.w]).toEqual(bruteCrop(tokens, side));
      for (let r = 0; r < g.h; r++) for (let c = 0; c < g.w; c++) expect(g.cells[r * g.w + c]).toBe(tokens[r * side + c] - 2);
    }
  });
});
