/** Pattern families: complete a masked mirror-symmetric pattern; combine two halves with a boolean operation. */
import { at, gridEquals } from '../grid';
import { dihedralGrid } from '../dihedral';
import type { RuleFamily } from './family';
import { gridOf, isUniform, randomFill } from './helpers';

export interface SymmetryParams {
  /** Mirror axes of the full pattern: left-right, up-down, or both. */
  axes: 'lr' | 'ud' | 'both';
  /** Colour of the rectangular patch hiding part of the pattern. */
  mask: number;
}

export const symmetryCompleteFamily: RuleFamily<SymmetryParams> = {
  name: 'symmetry-complete',
  description: 'A mirror-symmetric pattern has a rectangle painted over in a mask colour; restore the hidden cells.',
  minMaxSide: 3,
  sampleParams: (s) => ({ axes: s.pick<SymmetryParams['axes']>(s.difficulty < 0.5 ? ['lr', 'ud'] : ['lr', 'ud', 'both']), mask: s.colour() }),
  samplePair(s, { axes, mask }) {
    const h = s.side(3), w = s.side(3);
    const lr = axes !== 'ud', ud = axes !== 'lr';
    const base = randomFill(s, h, w, s.colours(s.scaled(1, 3), [0, mask]), 0.4 + 0.5 * s.rand());
    const pattern = gridOf(h, w, (r, c) => at(base, ud ? Math.min(r, h - 1 - r) : r, lr ? Math.min(c, w - 1 - c) : c));
    // No extra symmetry: the task must show which axes matter.
    if (isUniform(pattern) || (!lr && gridEquals(dihedralGrid(pattern, 4), pattern)) || (!ud && gridEquals(dihedralGrid(pattern, 5), pattern)))
      return null;
    const mh = s.scaled(1, Math.max(1, Math.floor(h / 2))), mw = s.scaled(1, Math.max(1, Math.floor(w / 2)));
    const r0 = s.int(0, h - mh), c0 = s.int(0, w - mw);
    const masked = (r: number, c: number) => r >= r0 && r < r0 + mh && c >= c0 && c < c0 + mw;
    // Every hidden cell needs a visible mirror image to be recoverable.
    for (let r = r0; r < r0 + mh; r++)
      for (let c = c0; c < c0 + mw; c++) {
        const images = [[r, lr ? w - 1 - c : c], [ud ? h - 1 - r : r, c], [ud ? h - 1 - r : r, lr ? w - 1 - c : c]];
        if (!images.some(([ir, ic]) => (ir !== r || ic !== c) && !masked(ir, ic))) return null;
      }
    return { input: gridOf(h, w, (r, c) => (masked(r, c) ? mask : at(pattern, r, c))), output: pattern };
  },
  check(input, output, { axes, mask }) {
    if (output.h !== input.h || output.w !== input.w) return 'output must keep the input size';
    const { h, w } = output;
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        const o = at(output, r, c), v = at(input, r, c);
        if (o === mask) return `output (${r},${c}) still shows the mask`;
        if (v !== mask && o !== v) return `visible cell (${r},${c}) changed`;
        if (axes !== 'ud' && o !== at(output, r, w - 1 - c)) return `output (${r},${c}) breaks the left-right mirror`;
        if (axes !== 'lr' && o !== at(output, h - 1 - r, c)) return `output (${r},${c}) breaks the up-down mirror`;
      }
    return null;
  },
};

// Truth tables indexed by 2·a + b, where a / b say whether the first / second half has a coloured cell.
const TRUTH = { and: [0, 0, 0, 1], or: [0, 1, 1, 1], xor: [0, 1, 1, 0], nor: [1, 0, 0, 0], 'and-not': [0, 0, 1, 0] } as const;
type LogicOp = keyof typeof TRUTH;

export interface LogicParams {
  op: LogicOp;
  /** 'cols': halves side by side with a divider column; 'rows': stacked with a divider row. */
  split: 'cols' | 'rows';
  first: number;
  second: number;
  divider: number;
  /** Colour of the output cells where the operation holds. */
  out: number;
}

export const logicFamily: RuleFamily<LogicParams> = {
  name: 'logic',
  description: 'Two binary halves split by a divider line combine cell by cell with AND, OR, XOR, NOR or AND-NOT.',
  minMaxSide: 4,
  sampleParams(s) {
    const ops = Object.keys(TRUTH) as LogicOp[];
    const [first, second, divider, out] = s.colours(4);
    return { op: s.pick(s.difficulty < 0.5 ? ops.slice(0, 3) : ops), split: s.chance(0.5) ? 'cols' : 'rows', first, second, divider, out };
  },
  samplePair(s, { op, split, first, second, divider, out }) {
    // Canonical layout: halves side by side; the 'rows' split is its transpose.
    const half = s.side(1, Math.floor((s.maxSide - 1) / 2));
    const h = s.side(Math.ceil(4 / half));
    if (h * half < 4) return null;
    const a = randomFill(s, h, half, [1], 0.5), b = randomFill(s, h, half, [1], 0.5);
    const seen = new Set(a.cells.map((v, i) => 2 * v + b.cells[i]));
    // Every combination of the two halves appears, so each pair pins down the whole truth table.
    if (seen.size < 4) return null;
    const fn = { and: (x: boolean, y: boolean) => x && y, or: (x: boolean, y: boolean) => x || y, xor: (x: boolean, y: boolean) => x !== y,
      nor: (x: boolean, y: boolean) => !(x || y), 'and-not': (x: boolean, y: boolean) => x && !y }[op];
    const input = gridOf(h, 2 * half + 1, (r, c) =>
      c < half ? at(a, r, c) * first : c === half ? divider : at(b, r, c - half - 1) * second,
    );
    const output = gridOf(h, half, (r, c) => (fn(at(a, r, c) === 1, at(b, r, c) === 1) ? out : 0));
    return split === 'cols' ? { input, output } : { input: dihedralGrid(input, 6), output: dihedralGrid(output, 6) };
  },
  check(input, output, { op, split, first, second, divider, out }) {
    // Read both grids through the canonical (side-by-side) orientation.
    const cols = split === 'cols';
    const get = (r: number, c: number) => (cols ? at(input, r, c) : at(input, c, r));
    const H = cols ? input.h : input.w, W = cols ? input.w : input.h;
    const half = (W - 1) / 2;
    if (!Number.isInteger(half) || half < 1) return `input has no centre divider line`;
    if ((cols ? output.h : output.w) !== H || (cols ? output.w : output.h) !== half) return 'output must be one half in size';
    for (let r = 0; r < H; r++) {
      if (get(r, half) !== divider) return `divider line broken at ${r}`;
      for (let c = 0; c < half; c++) {
        const x = get(r, c), y = get(r, c + half + 1);
        if ((x !== 0 && x !== first) || (y !== 0 && y !== second)) return `unexpected colour in the halves at ${r},${c}`;
        const want = TRUTH[op][(x ? 2 : 0) + (y ? 1 : 0)] ? out : 0;
        if ((cols ? at(output, r, c) : at(output, c, r)) !== want) return `output (${r},${c}) should be ${want}`;
      }
    }
    return null;
  },
};
