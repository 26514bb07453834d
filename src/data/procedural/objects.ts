/** Object families: crop to one object, keep the largest/smallest object, count into a bar. */
import { at, makeGrid } from '../grid';
import type { RuleFamily } from './family';
import { bounds, components, countColour, cropGrid, gridOf, Layout, mismatch, paint, randomShape, rectCells, translate, type Cell } from './helpers';

export interface CropParams {
  /** Colour of the object to crop to. */
  target: number;
}

export const cropObjectFamily: RuleFamily<CropParams> = {
  name: 'crop-object',
  description: 'Crop the grid to the bounding box of the object of a fixed colour, ignoring the other objects.',
  minMaxSide: 3,
  sampleParams: (s) => ({ target: s.colour() }),
  samplePair(s, { target }) {
    const h = s.side(3), w = s.side(3);
    const th = s.int(1, Math.min(4, h - 1)), tw = s.int(1, Math.min(4, w - 1));
    const shape = randomShape(s, th, tw, s.scaled(Math.min(2, th * tw), th * tw));
    const layout = new Layout(h, w);
    const at0 = layout.spot(s, shape);
    if (!at0) return null;
    const b = bounds(translate(shape, at0[0], at0[1]));
    // Reserve the whole box (plus a margin) so no other object shows up in the crop.
    layout.take(rectCells(b.r0, b.c0, b.h, b.w), 1);
    const input = makeGrid(h, w);
    paint(input, translate(shape, at0[0], at0[1]), target);
    let others = 0;
    for (let k = s.scaled(1, 3); k > 0; k--) {
      const cells = layout.place(s, randomShape(s, Math.min(3, h), Math.min(3, w), s.int(1, 4)), 1);
      if (!cells) continue;
      paint(input, cells, s.colour([0, target]));
      others++;
    }
    return others ? { input, output: cropGrid(input, b.r0, b.c0, b.h, b.w) } : null;
  },
  check(input, output, { target }) {
    // Search for a window of the input equal to the output that holds every target cell and is tight around them.
    const cells: Cell[] = [];
    for (let r = 0; r < input.h; r++) for (let c = 0; c < input.w; c++) if (at(input, r, c) === target) cells.push([r, c]);
    if (!cells.length) return `input has no cell of colour ${target}`;
    for (let r0 = 0; r0 + output.h <= input.h; r0++)
      for (let c0 = 0; c0 + output.w <= input.w; c0++) {
        const r1 = r0 + output.h - 1, c1 = c0 + output.w - 1;
        if (!cells.every(([r, c]) => r >= r0 && r <= r1 && c >= c0 && c <= c1)) continue;
        const tight = [r0, r1].every((row) => cells.some(([r]) => r === row)) && [c0, c1].every((col) => cells.some(([, c]) => c === col));
        if (tight && mismatch(output, cropGrid(input, r0, c0, output.h, output.w)) === null) return null;
      }
    return `output is not the crop to the colour-${target} object`;
  },
};

export interface ExtremeParams {
  which: 'largest' | 'smallest';
  /** 'keep': same-size grid with only that object; 'crop': its bounding box. */
  mode: 'keep' | 'crop';
}

export const largestObjectFamily: RuleFamily<ExtremeParams> = {
  name: 'largest-object',
  description: 'Keep (or crop to) the object with the most cells — or, in its mirror variant, the fewest.',
  minMaxSide: 3,
  sampleParams: (s) => ({
    which: s.difficulty < 0.3 || s.chance(0.5) ? 'largest' : 'smallest',
    mode: s.chance(0.5) ? 'keep' : 'crop',
  }),
  samplePair(s, { which, mode }) {
    const h = s.side(3), w = s.side(3);
    const bh = Math.min(3, h), bw = Math.min(3, w);
    const sizes = s.shuffle(Array.from({ length: Math.min(bh * bw, s.maxSide >= 6 ? 7 : 5) }, (_, i) => i + 1)).slice(0, s.scaled(2, 4));
    const layout = new Layout(h, w);
    const input = makeGrid(h, w);
    const placed: { size: number; cells: Cell[] }[] = [];
    for (const size of sizes) {
      const shape = randomShape(s, bh, bw, size);
      const at0 = layout.spot(s, shape);
      if (!at0) continue;
      const cells = translate(shape, at0[0], at0[1]);
      const b = bounds(cells);
      layout.take(rectCells(b.r0, b.c0, b.h, b.w), 1);
      paint(input, cells, s.colour());
      placed.push({ size, cells });
    }
    if (placed.length < 2) return null;
    placed.sort((a, b) => (which === 'largest' ? b.size - a.size : a.size - b.size));
    const { cells } = placed[0];
    if (mode === 'crop') {
      const b = bounds(cells);
      return { input, output: cropGrid(input, b.r0, b.c0, b.h, b.w) };
    }
    const output = makeGrid(h, w);
    for (const [r, c] of cells) output.cells[r * w + c] = at(input, r, c);
    return { input, output };
  },
  check(input, output, { which, mode }) {
    const objects = components(input, { diagonal: true, sameColour: false }).sort((a, b) =>
      which === 'largest' ? b.cells.length - a.cells.length : a.cells.length - b.cells.length,
    );
    if (objects.length < 2 || objects[0].cells.length === objects[1].cells.length) return `input has no unique ${which} object`;
    const pick = objects[0].cells;
    if (mode === 'keep') {
      const want = makeGrid(input.h, input.w);
      for (const i of pick) want.cells[i] = input.cells[i];
      return mismatch(output, want);
    }
    const b = bounds(pick.map((i) => [Math.floor(i / input.w), i % input.w] as const));
    return mismatch(output, cropGrid(input, b.r0, b.c0, b.h, b.w));
  },
};

export interface CountParams {
  /** 'cells': count cells of `colour`; 'objects': count objects (of any colour). */
  what: 'cells' | 'objects';
  /** The counted colour, and the bar's colour. */
  colour: number;
  /** Bar as n×1 (true) or 1×n. */
  vertical: boolean;
}

export const countToBarFamily: RuleFamily<CountParams> = {
  name: 'count-to-bar',
  description: 'Count the cells of a colour (or the objects) and output a bar of that length.',
  minMaxSide: 3,
  sampleParams: (s) => ({ what: s.chance(0.5) ? 'cells' : 'objects', colour: s.colour(), vertical: s.chance(0.5) }),
  samplePair(s, { what, colour, vertical }) {
    const h = s.side(what === 'cells' ? 2 : 3), w = s.side(what === 'cells' ? 2 : 3);
    const input = makeGrid(h, w);
    let n = 0;
    if (what === 'cells') {
      n = s.scaled(2, Math.min(s.maxSide, h * w - 1));
      const spots = s.shuffle(Array.from({ length: h * w }, (_, i) => i));
      const distractors = s.scaled(0, Math.min(4, h * w - n));
      spots.slice(0, n).forEach((i) => (input.cells[i] = colour));
      spots.slice(n, n + distractors).forEach((i) => (input.cells[i] = s.colour([0, colour])));
    } else {
      const layout = new Layout(h, w);
      for (let k = s.scaled(2, Math.min(s.maxSide, 6)); k > 0; k--) {
        const cells = layout.place(s, randomShape(s, Math.min(2, h), Math.min(2, w), s.int(1, 3)), 1);
        if (!cells) return null;
        paint(input, cells, s.colour([0, colour]));
        n++;
      }
    }
    // Counts start at 2 so every bar shows its orientation.
    return { input, output: vertical ? gridOf(n, 1, () => colour) : gridOf(1, n, () => colour) };
  },
  check(input, output, { what, colour, vertical }) {
    const n = what === 'cells' ? countColour(input, colour) : components(input, { diagonal: true, sameColour: false }).length;
    if (!n) return `nothing to count`;
    return mismatch(output, vertical ? gridOf(n, 1, () => colour) : gridOf(1, n, () => colour));
  },
};
