/** Region families: fill enclosed areas, hollow rectangles, ring objects, remove isolated noise. */
import { at, cloneGrid, makeGrid, set } from '../grid';
import type { RuleFamily } from './family';
import { gridOf, inGrid, KING, Layout, mismatch, ORTHO, paint, randomShape, rectCells, type Cell } from './helpers';

/** The border ring, its non-corner cells and the inside of a rectangle given by its row-major cells. */
function rectParts(cells: readonly Cell[]): { ring: Cell[]; sides: Cell[]; inside: Cell[] } {
  const [r0, c0] = cells[0];
  const [r1, c1] = cells[cells.length - 1];
  const ring: Cell[] = [], sides: Cell[] = [], inside: Cell[] = [];
  for (const p of cells) {
    const edgeRow = p[0] === r0 || p[0] === r1, edgeCol = p[1] === c0 || p[1] === c1;
    (edgeRow || edgeCol ? ring : inside).push(p);
    if (edgeRow !== edgeCol) sides.push(p);
  }
  return { ring, sides, inside };
}

export interface FillParams {
  fill: number;
}

export const fillEnclosedFamily: RuleFamily<FillParams> = {
  name: 'fill-enclosed',
  description: 'Fill background areas enclosed by walls (not reachable from the border) with a fixed colour; open boxes stay empty.',
  minMaxSide: 4,
  sampleParams: (s) => ({ fill: s.colour() }),
  samplePair(s, { fill }) {
    const h = s.side(4), w = s.side(3);
    const walls = s.colours(s.difficulty >= 0.5 ? 3 : 1, [0, fill]);
    const boxes = s.shuffle([...Array<boolean>(s.scaled(1, 3)).fill(false), ...Array<boolean>(s.scaled(0, 2)).fill(true)]);
    const layout = new Layout(h, w);
    const input = makeGrid(h, w), output = makeGrid(h, w);
    let closed = 0;
    for (const open of boxes) {
      const cells = layout.place(s, rectCells(0, 0, s.int(3, Math.min(h, 6)), s.int(3, Math.min(w, 6))), 1);
      if (!cells) continue;
      const { ring, sides, inside } = rectParts(cells);
      const colour = s.pick(walls);
      paint(input, ring, colour);
      paint(output, ring, colour);
      if (open) {
        // A gap in a side (a corner gap would not open a 4-connected leak) lets the inside drain out.
        const [r, c] = s.pick(sides);
        set(input, r, c, 0);
        set(output, r, c, 0);
      } else {
        paint(output, inside, fill);
        closed++;
      }
    }
    return closed ? { input, output } : null;
  },
  check(input, output, { fill }) {
    // Flood the background from the border; whatever background it cannot reach is enclosed.
    const { h, w } = input;
    const reached = new Uint8Array(h * w);
    const queue: number[] = [];
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++)
        if ((r === 0 || c === 0 || r === h - 1 || c === w - 1) && at(input, r, c) === 0) {
          reached[r * w + c] = 1;
          queue.push(r * w + c);
        }
    for (let k = 0; k < queue.length; k++) {
      const r = Math.floor(queue[k] / w), c = queue[k] % w;
      for (const [dr, dc] of ORTHO) {
        const i = (r + dr) * w + c + dc;
        if (inGrid(input, r + dr, c + dc) && !reached[i] && input.cells[i] === 0) {
          reached[i] = 1;
          queue.push(i);
        }
      }
    }
    return mismatch(output, gridOf(h, w, (r, c) => at(input, r, c) || (reached[r * w + c] ? 0 : fill)));
  },
};

export interface OutlineParams {
  /** Colour given to the inside of each filled rectangle; 0 hollows it out. */
  interior: number;
}

export const outlineFamily: RuleFamily<OutlineParams> = {
  name: 'outline',
  description: 'Hollow out filled rectangles (or recolour their inside with a fixed colour), keeping a one-cell border.',
  minMaxSide: 4,
  sampleParams: (s) => ({ interior: s.chance(0.5) ? 0 : s.colour() }),
  samplePair(s, { interior }) {
    const h = s.side(4), w = s.side(3);
    const layout = new Layout(h, w);
    const input = makeGrid(h, w), output = makeGrid(h, w);
    let placed = 0;
    for (let k = s.scaled(1, 3); k > 0; k--) {
      const cells = layout.place(s, rectCells(0, 0, s.int(3, Math.min(h, 7)), s.int(3, Math.min(w, 7))), 1);
      if (!cells) continue;
      const { ring, inside } = rectParts(cells);
      const colour = s.colour([0, interior]);
      paint(input, cells, colour);
      paint(output, ring, colour);
      paint(output, inside, interior);
      placed++;
    }
    return placed ? { input, output } : null;
  },
  check(input, output, { interior }) {
    // Inside = a coloured cell whose 8 neighbours all exist and share its colour.
    const want = gridOf(input.h, input.w, (r, c) => {
      const v = at(input, r, c);
      const inside = v !== 0 && KING.every(([dr, dc]) => inGrid(input, r + dr, c + dc) && at(input, r + dr, c + dc) === v);
      return inside ? interior : v;
    });
    return mismatch(output, want);
  },
};

export interface SurroundParams {
  /** Colour of the ring drawn around every object. */
  ring: number;
  /** The ring covers the 8 neighbours (true) or only the 4 orthogonal ones. */
  diagonal: boolean;
}

export const surroundFamily: RuleFamily<SurroundParams> = {
  name: 'surround',
  description: 'Draw a ring of a fixed colour on the background cells next to every object (4- or 8-neighbourhood).',
  minMaxSide: 3,
  sampleParams: (s) => ({ ring: s.colour(), diagonal: s.chance(0.5) }),
  samplePair(s, { ring, diagonal }) {
    const h = s.side(3), w = s.side(3);
    const layout = new Layout(h, w);
    const input = makeGrid(h, w);
    const objects: Cell[][] = [];
    for (let k = s.scaled(1, 3); k > 0; k--) {
      const cells = layout.place(s, randomShape(s, Math.min(3, h), Math.min(3, w), s.scaled(1, 4)), 1);
      if (!cells) continue;
      paint(input, cells, s.colour([0, ring]));
      objects.push(cells);
    }
    const output = cloneGrid(input);
    for (const cells of objects)
      for (const [r, c] of cells)
        for (const [dr, dc] of diagonal ? KING : ORTHO)
          if (inGrid(input, r + dr, c + dc) && at(input, r + dr, c + dc) === 0) set(output, r + dr, c + dc, ring);
    return objects.length ? { input, output } : null;
  },
  check(input, output, { ring, diagonal }) {
    const want = gridOf(input.h, input.w, (r, c) => {
      const v = at(input, r, c);
      if (v) return v;
      const touches = (diagonal ? KING : ORTHO).some(([dr, dc]) => inGrid(input, r + dr, c + dc) && at(input, r + dr, c + dc) !== 0);
      return touches ? ring : 0;
    });
    return mismatch(output, want);
  },
};

export interface DenoiseParams {
  /** Colour of the noise: isolated pixels of it are removed. */
  noise: number;
}

export const denoiseFamily: RuleFamily<DenoiseParams> = {
  name: 'denoise',
  description: 'Remove isolated pixels of the noise colour (no coloured 8-neighbour); objects and lone pixels of other colours stay.',
  minMaxSide: 3,
  sampleParams: (s) => ({ noise: s.colour() }),
  samplePair(s, { noise }) {
    const h = s.side(3), w = s.side(3);
    const layout = new Layout(h, w);
    const input = makeGrid(h, w), output = makeGrid(h, w);
    let objects = 0, specks = 0;
    for (let k = s.scaled(1, 3); k > 0; k--) {
      const shape = randomShape(s, Math.min(3, h), Math.min(3, w), s.scaled(2, 6));
      const cells = layout.place(s, shape, 1);
      if (!cells) continue;
      // When harder, objects may share the noise colour: only isolation marks noise then.
      const colour = s.colour(s.difficulty >= 0.5 ? [0] : [0, noise]);
      paint(input, cells, colour);
      paint(output, cells, colour);
      objects++;
    }
    for (let k = s.scaled(1, 4); k > 0; k--) {
      const cells = layout.place(s, [[0, 0]], 1);
      if (!cells) break;
      paint(input, cells, noise);
      specks++;
    }
    // When harder, lone pixels of other colours stay: only the noise colour marks noise then.
    for (let k = s.difficulty >= 0.5 ? s.int(0, 2) : 0; k > 0; k--) {
      const cells = layout.place(s, [[0, 0]], 1);
      if (!cells) break;
      const colour = s.colour([0, noise]);
      paint(input, cells, colour);
      paint(output, cells, colour);
    }
    return objects && specks ? { input, output } : null;
  },
  check(input, output, { noise }) {
    const want = gridOf(input.h, input.w, (r, c) => {
      const v = at(input, r, c);
      const isolated = KING.every(([dr, dc]) => !inGrid(input, r + dr, c + dc) || at(input, r + dr, c + dc) === 0);
      return v === noise && isolated ? 0 : v;
    });
    return mismatch(output, want);
  },
};
