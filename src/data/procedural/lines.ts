/** Line families: rays to the border, segments joining same-coloured pairs, and full row/column lines. */
import { at, cloneGrid, makeGrid, set } from '../grid';
import type { RuleFamily } from './family';
import { gridOf, inGrid, Layout, mismatch, paint, rectCells, type Cell } from './helpers';

const RAYS = {
  up: [-1, 0], down: [1, 0], left: [0, -1], right: [0, 1],
  'up-left': [-1, -1], 'up-right': [-1, 1], 'down-left': [1, -1], 'down-right': [1, 1],
} as const;
type RayDirection = keyof typeof RAYS;
const RAY_NAMES = Object.keys(RAYS) as RayDirection[];

export interface ExtendParams {
  dir: RayDirection;
}

export const extendLinesFamily: RuleFamily<ExtendParams> = {
  name: 'extend-lines',
  description: 'Each coloured pixel shoots a ray of its colour in one direction (orthogonal, or diagonal when harder) up to the border.',
  minMaxSide: 2,
  sampleParams: (s) => ({ dir: s.pick(s.difficulty < 0.5 ? RAY_NAMES.slice(0, 4) : RAY_NAMES) }),
  samplePair(s, { dir }) {
    const [dr, dc] = RAYS[dir];
    const h = s.side(2), w = s.side(2);
    // Seeds on one line along the direction would run into each other: one seed per line.
    const lineOf = (r: number, c: number) => (dr === 0 ? r : dc === 0 ? c : dr === dc ? r - c : r + c);
    const usedLines = new Set<number>();
    const input = makeGrid(h, w), output = makeGrid(h, w);
    for (let k = s.scaled(1, 3); k > 0; k--) {
      const options: Cell[] = [];
      for (let r = 0; r < h; r++)
        for (let c = 0; c < w; c++) if (inGrid(input, r + dr, c + dc) && !usedLines.has(lineOf(r, c))) options.push([r, c]);
      if (!options.length) break;
      const [r, c] = s.pick(options);
      const colour = s.colour();
      usedLines.add(lineOf(r, c));
      set(input, r, c, colour);
      for (let i = 0; inGrid(input, r + i * dr, c + i * dc); i++) set(output, r + i * dr, c + i * dc, colour);
    }
    return { input, output };
  },
  check(input, output, { dir }) {
    // A cell takes the colour of the first pixel met walking backwards against the direction (itself included).
    const [dr, dc] = RAYS[dir];
    const want = gridOf(input.h, input.w, (r, c) => {
      for (let i = 0; inGrid(input, r - i * dr, c - i * dc); i++) {
        const v = at(input, r - i * dr, c - i * dc);
        if (v) return v;
      }
      return 0;
    });
    return mismatch(output, want);
  },
};

export interface ConnectParams {
  /** Colour of the joining segment; null: the pair's own colour. */
  line: number | null;
}

export const connectPointsFamily: RuleFamily<ConnectParams> = {
  name: 'connect-points',
  description: 'Join each pair of same-coloured pixels that share a row or column with a straight segment.',
  minMaxSide: 3,
  sampleParams: (s) => ({ line: s.chance(0.5) ? null : s.colour() }),
  samplePair(s, { line }) {
    const h = s.side(3), w = s.side(3);
    const layout = new Layout(h, w);
    const input = makeGrid(h, w), output = makeGrid(h, w);
    let placed = 0;
    for (const colour of s.colours(s.scaled(1, 3), line === null ? [0] : [0, line])) {
      const horizontal = s.chance(0.5);
      const len = s.int(3, horizontal ? w : h);
      const cells = layout.place(s, horizontal ? rectCells(0, 0, 1, len) : rectCells(0, 0, len, 1), 1);
      if (!cells) continue;
      const ends = [cells[0], cells[cells.length - 1]];
      paint(output, cells, line ?? colour);
      paint(output, ends, colour);
      paint(input, ends, colour);
      placed++;
    }
    return placed ? { input, output } : null;
  },
  check(input, output, { line }) {
    const byColour = new Map<number, Cell[]>();
    for (let r = 0; r < input.h; r++)
      for (let c = 0; c < input.w; c++) {
        const v = at(input, r, c);
        if (v) byColour.set(v, [...(byColour.get(v) ?? []), [r, c]]);
      }
    const want = cloneGrid(input);
    for (const [colour, pts] of byColour) {
      if (pts.length !== 2) return `colour ${colour} marks ${pts.length} cells, not a pair`;
      const [[r1, c1], [r2, c2]] = pts;
      if (r1 !== r2 && c1 !== c2) return `the two ${colour} cells share no row or column`;
      const n = Math.abs(r2 - r1) + Math.abs(c2 - c1), ur = Math.sign(r2 - r1), uc = Math.sign(c2 - c1);
      for (let k = 1; k < n; k++) {
        if (at(input, r1 + k * ur, c1 + k * uc)) return `the ${colour} pair is blocked`;
        set(want, r1 + k * ur, c1 + k * uc, line ?? colour);
      }
    }
    return mismatch(output, want);
  },
};

export interface CrossParams {
  /** Each seed pixel paints its whole row, its whole column, or both. */
  mode: 'row' | 'col' | 'cross';
  /** In 'cross' mode, the colour where one seed's row meets another seed's column; null otherwise. */
  cross: number | null;
}

export const crossLinesFamily: RuleFamily<CrossParams> = {
  name: 'cross-lines',
  description: "Each pixel paints its full row, column or both; in 'cross' mode different seeds' lines meet in a fixed colour.",
  minMaxSide: 2,
  sampleParams(s) {
    const mode = s.pick<CrossParams['mode']>(s.difficulty < 0.3 ? ['row', 'col'] : ['row', 'col', 'cross']);
    return { mode, cross: mode === 'cross' ? s.colour() : null };
  },
  samplePair(s, { mode, cross }) {
    const h = s.side(2), w = s.side(2);
    const n = Math.min(h, w, mode === 'cross' ? s.scaled(2, 3) : s.scaled(1, 3));
    const rows = s.shuffle(Array.from({ length: h }, (_, i) => i)).slice(0, n);
    const cols = s.shuffle(Array.from({ length: w }, (_, i) => i)).slice(0, n);
    const colours = rows.map(() => s.colour(cross === null ? [0] : [0, cross]));
    const input = makeGrid(h, w), output = makeGrid(h, w);
    colours.forEach((v, i) => {
      if (mode !== 'col') paint(output, rectCells(rows[i], 0, 1, w), v);
      if (mode !== 'row') paint(output, rectCells(0, cols[i], h, 1), v);
    });
    if (cross !== null) rows.forEach((r, i) => cols.forEach((c, j) => i !== j && set(output, r, c, cross)));
    colours.forEach((v, i) => (set(input, rows[i], cols[i], v), set(output, rows[i], cols[i], v)));
    return { input, output };
  },
  check(input, output, { mode, cross }) {
    const rowSeed = new Map<number, number>(), colSeed = new Map<number, number>();
    for (let r = 0; r < input.h; r++)
      for (let c = 0; c < input.w; c++) {
        const v = at(input, r, c);
        if (!v) continue;
        if (rowSeed.has(r) || colSeed.has(c)) return `seed (${r},${c}) shares a row or column with another seed`;
        rowSeed.set(r, v);
        colSeed.set(c, v);
      }
    const want = gridOf(input.h, input.w, (r, c) => {
      if (at(input, r, c)) return at(input, r, c);
      const a = mode === 'col' ? undefined : rowSeed.get(r);
      const b = mode === 'row' ? undefined : colSeed.get(c);
      return a !== undefined && b !== undefined ? (cross ?? -1) : (a ?? b ?? 0);
    });
    return mismatch(output, want);
  },
};
