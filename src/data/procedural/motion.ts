/** Motion families: gravity, shifting by a vector, and sliding an object until it hits an anchor. */
import { at, cloneGrid, makeGrid, set } from '../grid';
import { dihedralGrid } from '../dihedral';
import type { RuleFamily } from './family';
import { bounds, inGrid, mismatch, paint, randomFill, randomShape, rectCells, translate, type Cell } from './helpers';

const STEPS = { down: [1, 0], up: [-1, 0], left: [0, -1], right: [0, 1] } as const;
type Direction = keyof typeof STEPS;
const DIRECTIONS = Object.keys(STEPS) as Direction[];

export interface GravityParams {
  dir: Direction;
  /** A colour that never moves and blocks falling cells; null when the task has none. */
  wall: number | null;
}

export const gravityFamily: RuleFamily<GravityParams> = {
  name: 'gravity',
  description: 'Every coloured cell falls in one direction until blocked by the border, a fixed wall colour or another cell.',
  minMaxSide: 2,
  sampleParams: (s) => ({ dir: s.pick(DIRECTIONS), wall: s.chance(0.8 * s.difficulty) ? s.colour() : null }),
  samplePair(s, { dir, wall }) {
    const h = s.side(2), w = s.side(2);
    const [dr, dc] = STEPS[dir];
    const input = randomFill(s, h, w, s.colours(s.scaled(1, 3), wall === null ? [0] : [0, wall]), 0.15 + 0.35 * s.rand());
    if (wall !== null) {
      for (let i = 0; i < input.cells.length; i++) if (s.chance(0.15)) input.cells[i] = wall;
      // A wall only shows that it is fixed when it has room to fall.
      const shows = (i: number) => {
        const r = Math.floor(i / w) + dr, c = (i % w) + dc;
        return input.cells[i] === wall && inGrid(input, r, c) && at(input, r, c) === 0;
      };
      if (!input.cells.some((_, i) => shows(i))) return null;
    }
    // Simulate one step at a time until nothing can move.
    const output = cloneGrid(input);
    for (let moved = true; moved; ) {
      moved = false;
      for (let r = 0; r < h; r++)
        for (let c = 0; c < w; c++) {
          const v = at(output, r, c);
          if (v === 0 || v === wall || !inGrid(output, r + dr, c + dc) || at(output, r + dr, c + dc) !== 0) continue;
          set(output, r + dr, c + dc, v);
          set(output, r, c, 0);
          moved = true;
        }
    }
    // Every moving colour must be seen moving, or a demonstration could not tell it from a wall.
    const positions = (g: typeof input, v: number) => g.cells.reduce((acc, x, i) => (x === v ? `${acc},${i}` : acc), '');
    for (const v of new Set(input.cells)) if (v !== 0 && v !== wall && positions(input, v) === positions(output, v)) return null;
    return { input, output };
  },
  check(input, output, { dir, wall }) {
    // Compact each line toward its far end: walls pin themselves and start a new stack, movers keep their order.
    const { h, w } = input;
    const vertical = dir === 'down' || dir === 'up';
    const lines: number[][] = [];
    for (let k = 0; k < (vertical ? w : h); k++) {
      const n = vertical ? h : w;
      lines.push(Array.from({ length: n }, (_, j) => {
        const p = dir === 'down' || dir === 'right' ? n - 1 - j : j;
        return vertical ? p * w + k : k * w + p;
      }));
    }
    const want = new Uint8Array(h * w);
    for (const line of lines) {
      let next = 0;
      line.forEach((idx, k) => {
        const v = input.cells[idx];
        if (v !== 0 && v === wall) {
          want[idx] = v;
          next = k + 1;
        } else if (v !== 0) want[line[next++]] = v;
      });
    }
    return mismatch(output, { h, w, cells: want });
  },
};

export interface ShiftParams {
  dr: number;
  dc: number;
}

export const shiftFamily: RuleFamily<ShiftParams> = {
  name: 'shift',
  description: 'Move all content by a fixed vector (rows, cols); nothing leaves the grid.',
  minMaxSide: 3,
  sampleParams(s) {
    const reach = s.scaled(1, Math.max(1, Math.min(3, Math.floor((s.maxSide - 1) / 2))));
    if (s.chance(1 - 0.6 * s.difficulty)) {
      const [dr, dc] = s.pick(Object.values(STEPS));
      return { dr: dr * reach, dc: dc * reach };
    }
    const sign = () => (s.chance(0.5) ? 1 : -1);
    return { dr: sign() * s.int(1, reach), dc: sign() * s.int(1, reach) };
  },
  samplePair(s, { dr, dc }) {
    const h = s.side(Math.abs(dr) + 2), w = s.side(Math.abs(dc) + 2);
    const colours = s.colours(s.scaled(1, 3));
    const density = 0.25 + 0.35 * s.rand();
    const input = makeGrid(h, w), output = makeGrid(h, w);
    // Content only where its shifted copy stays inside the grid.
    for (let r = Math.max(0, -dr); r < h - Math.max(0, dr); r++)
      for (let c = Math.max(0, -dc); c < w - Math.max(0, dc); c++)
        if (s.chance(density)) {
          const v = s.pick(colours);
          set(input, r, c, v);
          set(output, r + dr, c + dc, v);
        }
    return { input, output };
  },
  check(input, output, { dr, dc }) {
    for (let r = 0; r < input.h; r++)
      for (let c = 0; c < input.w; c++)
        if (at(input, r, c) && !inGrid(input, r + dr, c + dc)) return `input (${r},${c}) would leave the grid`;
    const want = makeGrid(input.h, input.w);
    for (let r = 0; r < input.h; r++)
      for (let c = 0; c < input.w; c++) if (inGrid(input, r - dr, c - dc)) set(want, r, c, at(input, r - dr, c - dc));
    return mismatch(output, want);
  },
};

export interface SlideParams {
  /** Colour of the fixed bar. */
  anchor: number;
  /** Colour of the object that slides toward the bar until it is blocked. */
  mover: number;
}

export const slideToContactFamily: RuleFamily<SlideParams> = {
  name: 'slide-to-contact',
  description: 'An object slides straight toward a fixed bar and stops when the next step would overlap it.',
  minMaxSide: 4,
  sampleParams(s) {
    const [anchor, mover] = s.colours(2);
    return { anchor, mover };
  },
  samplePair(s, { anchor, mover }) {
    // Canonical layout: the mover above the bar, sliding down; a random rotation gives the other three sides.
    const H = s.side(4), W = s.side(2);
    const thick = s.int(1, Math.min(2, H - 3));
    const top = s.int(2, H - thick);
    const a0 = s.int(0, W - 1), a1 = s.int(a0, W - 1);
    const mh = s.int(1, top - 1), mw = s.int(1, W);
    const shape = randomShape(s, mh, mw, s.scaled(1, Math.min(mh * mw, 5)));
    const b = bounds(shape);
    const cells = translate(shape, s.int(0, top - 1 - b.h), s.int(0, W - b.w));
    // It falls until one of its cells above the bar reaches the row just over it.
    let fall = Infinity;
    for (const [r, c] of cells) if (c >= a0 && c <= a1) fall = Math.min(fall, top - 1 - r);
    const landed = translate(cells, fall, 0);
    if (fall === Infinity || landed.some(([r]) => r >= H)) return null;
    const bar = rectCells(top, a0, thick, a1 - a0 + 1);
    const input = makeGrid(H, W), output = makeGrid(H, W);
    paint(input, bar, anchor);
    paint(output, bar, anchor);
    paint(input, cells, mover);
    paint(output, landed, mover);
    const t = s.int(0, 3);
    return { input: dihedralGrid(input, t), output: dihedralGrid(output, t) };
  },
  check(input, output, { anchor, mover }) {
    if (output.h !== input.h || output.w !== input.w) return 'output must keep the input size';
    const cellsOf = (g: typeof input, colour: number): Cell[] => {
      const out: Cell[] = [];
      for (let r = 0; r < g.h; r++) for (let c = 0; c < g.w; c++) if (at(g, r, c) === colour) out.push([r, c]);
      return out;
    };
    for (const g of [input, output])
      if (g.cells.some((v) => v !== 0 && v !== anchor && v !== mover)) return 'only the anchor and mover colours may appear';
    const bar = cellsOf(input, anchor);
    if (!bar.length || JSON.stringify(bar) !== JSON.stringify(cellsOf(output, anchor))) return 'the anchor must stay put';
    const from = cellsOf(input, mover), to = cellsOf(output, mover);
    if (!from.length || from.length !== to.length) return 'the mover must keep its cells';
    const dr = to[0][0] - from[0][0], dc = to[0][1] - from[0][1];
    if (from.some(([r, c], j) => to[j][0] !== r + dr || to[j][1] !== c + dc)) return 'the mover must move rigidly';
    if ((dr !== 0) === (dc !== 0)) return `the mover moved by (${dr},${dc}), not along one axis`;
    const n = Math.abs(dr + dc), ur = Math.sign(dr), uc = Math.sign(dc);
    const onBar = new Set(bar.map(([r, c]) => r * input.w + c));
    const hits = (k: number) => from.some(([r, c]) => inGrid(input, r + k * ur, c + k * uc) && onBar.has((r + k * ur) * input.w + c + k * uc));
    for (let k = 1; k <= n; k++) if (hits(k)) return 'the mover passes through the anchor';
    if (!hits(n + 1)) return 'the mover stops before reaching the anchor';
    return null;
  },
};
