/** Colour families: a fixed colour map, recolouring objects by size, and most/least frequent colour. */
import { at, makeGrid } from '../grid';
import type { RuleFamily } from './family';
import { components, gridOf, Layout, mismatch, paint, randomFill, randomShape } from './helpers';

export interface RecolourParams {
  /** [from, to] colour substitutions, applied to every cell at once (so swaps are possible). */
  map: [number, number][];
  /** Colours that may appear and stay as they are (background 0 always stays). */
  keep: number[];
}

export const recolourFamily: RuleFamily<RecolourParams> = {
  name: 'recolour',
  description: 'Substitute colours by a fixed colour map; background and a few other colours stay.',
  minMaxSide: 2,
  sampleParams(s) {
    const from = s.colours(s.scaled(1, 3));
    return {
      map: from.map((c) => [c, s.colour([0, c])]),
      keep: s.colours(s.scaled(0, 2), [0, ...from]),
    };
  },
  samplePair(s, { map, keep }) {
    const h = s.side(2), w = s.side(2);
    // Every mapped and kept colour appears in every input, so each demonstration shows the whole map.
    const forced = [...map.map(([from]) => from), ...keep];
    if (h * w < forced.length) return null;
    const input = randomFill(s, h, w, forced, 0.3 + 0.5 * s.rand());
    const spots = s.shuffle(Array.from({ length: h * w }, (_, i) => i));
    forced.forEach((colour, j) => (input.cells[spots[j]] = colour));
    const table = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    for (const [from, to] of map) table[from] = to;
    return { input, output: gridOf(h, w, (r, c) => table[at(input, r, c)]) };
  },
  check(input, output, { map, keep }) {
    if (output.h !== input.h || output.w !== input.w) return 'output must keep the input size';
    const to = new Map(map);
    for (let i = 0; i < input.cells.length; i++) {
      const v = input.cells[i];
      const want = to.get(v) ?? (v === 0 || keep.includes(v) ? v : undefined);
      if (want === undefined) return `input colour ${v} is outside the task's palette`;
      if (output.cells[i] !== want) return `cell ${i}: colour ${v} must become ${want}`;
    }
    return null;
  },
};

export interface SizeParams {
  /** Colour of every object in the input. */
  source: number;
  /** bySize[n − 1] = output colour of an object of n cells. */
  bySize: number[];
}

export const colourBySizeFamily: RuleFamily<SizeParams> = {
  name: 'colour-by-size',
  description: 'Recolour each object by its number of cells (1, 2, 3, …) with a fixed size→colour table.',
  minMaxSide: 4,
  sampleParams(s) {
    const source = s.colour();
    return { source, bySize: s.colours(s.scaled(2, s.maxSide >= 6 ? 4 : 3), [0, source]) };
  },
  samplePair(s, { source, bySize }) {
    const h = s.side(3), w = s.side(3);
    const n = bySize.length;
    // Every size appears in every pair, so each demonstration shows the whole table; extras add variety.
    const sizes = Array.from({ length: n }, (_, i) => i + 1);
    for (let k = s.scaled(0, 2); k > 0; k--) sizes.push(s.int(1, n));
    sizes.sort((a, b) => b - a);
    const layout = new Layout(h, w);
    const input = makeGrid(h, w), output = makeGrid(h, w);
    for (const size of sizes) {
      const cells = layout.place(s, randomShape(s, Math.min(size, h), Math.min(size, w), size), 1);
      if (!cells) return null;
      paint(input, cells, source);
      paint(output, cells, bySize[size - 1]);
    }
    return { input, output };
  },
  check(input, output, { source, bySize }) {
    const want = new Uint8Array(input.cells.length);
    for (const comp of components(input, { diagonal: false, sameColour: true })) {
      if (comp.colour !== source) return `input has colour ${comp.colour}, not the source colour ${source}`;
      const colour = bySize[comp.cells.length - 1];
      if (colour === undefined) return `an object has ${comp.cells.length} cells, more than ${bySize.length}`;
      for (const i of comp.cells) want[i] = colour;
    }
    return mismatch(output, { h: input.h, w: input.w, cells: want });
  },
};

export interface MajorityParams {
  which: 'most' | 'least';
  /** 'recolour': every foreground cell takes the chosen colour; 'single': a 1×1 grid of it. */
  output: 'recolour' | 'single';
}

export const majorityColourFamily: RuleFamily<MajorityParams> = {
  name: 'majority-colour',
  description: 'Find the most (or least) frequent foreground colour; output it as 1×1 or paint all objects with it.',
  minMaxSide: 2,
  sampleParams: (s) => ({ which: s.chance(0.5) ? 'most' : 'least', output: s.chance(0.5) ? 'recolour' : 'single' }),
  samplePair(s, { which, output }) {
    const h = s.side(2), w = s.side(2);
    const input = randomFill(s, h, w, s.colours(s.scaled(2, 4)), 0.4 + 0.5 * s.rand());
    const counts = new Map<number, number>();
    for (const v of input.cells) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => (which === 'most' ? b[1] - a[1] : a[1] - b[1]));
    // Two colours present at least, and a strict winner: otherwise the answer is ill-defined.
    if (ranked.length < 2 || ranked[0][1] === ranked[1][1]) return null;
    const pick = ranked[0][0];
    return { input, output: output === 'single' ? gridOf(1, 1, () => pick) : gridOf(h, w, (r, c) => (at(input, r, c) ? pick : 0)) };
  },
  check(input, out, { which, output }) {
    const hist = new Array<number>(10).fill(0);
    for (const v of input.cells) hist[v]++;
    let best = -1, tie = false;
    for (let c = 1; c <= 9; c++) {
      if (!hist[c]) continue;
      const better = best < 0 || (which === 'most' ? hist[c] > hist[best] : hist[c] < hist[best]);
      if (better) [best, tie] = [c, false];
      else if (hist[c] === hist[best]) tie = true;
    }
    if (best < 0 || tie) return `input has no unique ${which} frequent colour`;
    const expect = output === 'single' ? gridOf(1, 1, () => best) : gridOf(input.h, input.w, (r, c) => (at(input, r, c) ? best : 0));
    return mismatch(out, expect);
  },
};
