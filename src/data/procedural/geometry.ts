/** Whole-grid geometry families: dihedral transforms, scaling, tiling and mirror concatenation. */
import { at, gridEquals, type Grid } from '../grid';
import { DIHEDRAL_NAMES, dihedralGrid } from '../dihedral';
import type { RuleFamily } from './family';
import { concat, gridOf, randomFill, type Sampler } from './helpers';

/** Difficulty-scaled input sides of at least 2 cells in all (a 1×1 input says nothing about the rule). */
function dims(s: Sampler, maxH: number, maxW: number): [number, number] {
  const h = s.side(maxW === 1 ? 2 : 1, maxH);
  return [h, s.side(h === 1 ? 2 : 1, maxW)];
}

/** Sparse-to-dense random content with a difficulty-scaled number of colours. */
function content(s: Sampler, h: number, w: number, minDensity: number): Grid {
  const colours = s.colours(s.scaled(1, 4));
  return randomFill(s, h, w, colours, minDensity + (0.9 - minDensity) * s.rand());
}

// Checker view of the dihedral group: (y, x) = centred, doubled coordinates (2r − (h−1), 2c − (w−1)) map to
// (a·y + b·x, c·y + d·x). Rows as [a, b, c, d], indexed by the reference's transform number (see ../dihedral).
const MATRICES: readonly (readonly [number, number, number, number])[] = [
  [1, 0, 0, 1], [0, -1, 1, 0], [-1, 0, 0, -1], [0, 1, -1, 0],
  [1, 0, 0, -1], [-1, 0, 0, 1], [0, 1, 1, 0], [0, -1, -1, 0],
];

export interface DihedralParams {
  /** 1..7: rot90 (counter-clockwise), rot180, rot270, flip-lr, flip-ud, transpose, anti-transpose. */
  transform: number;
}

export const dihedralFamily: RuleFamily<DihedralParams> = {
  name: 'dihedral',
  description: 'Rotate, flip or transpose the whole grid (one of the 7 non-identity dihedral transforms).',
  minMaxSide: 2,
  sampleParams: (s) => ({ transform: s.int(1, 7) }),
  samplePair(s, { transform }) {
    const input = content(s, s.side(2), s.side(2), 0.3);
    const output = dihedralGrid(input, transform);
    // An input with a symmetry makes two transforms indistinguishable (and identity-like outputs possible).
    for (let t = 0; t < 8; t++) if (t !== transform && gridEquals(dihedralGrid(input, t), output)) return null;
    return { input, output };
  },
  check(input, output, { transform }) {
    const [a, b, c, d] = MATRICES[transform];
    const swaps = a === 0;
    const h = swaps ? input.w : input.h, w = swaps ? input.h : input.w;
    if (output.h !== h || output.w !== w) return `${DIHEDRAL_NAMES[transform]} of ${input.h}x${input.w} must be ${h}x${w}`;
    for (let r = 0; r < input.h; r++)
      for (let col = 0; col < input.w; col++) {
        const y = 2 * r - (input.h - 1), x = 2 * col - (input.w - 1);
        const r2 = (a * y + b * x + h - 1) / 2, c2 = (c * y + d * x + w - 1) / 2;
        if (at(output, r2, c2) !== at(input, r, col)) return `input (${r},${col}) should land on output (${r2},${c2})`;
      }
    return null;
  },
};

export interface ScaleParams {
  factor: number;
}

export const scaleFamily: RuleFamily<ScaleParams> = {
  name: 'scale',
  description: 'Scale the grid up: every cell becomes a factor×factor block (×2, or ×3 when the canvas allows).',
  minMaxSide: 4,
  sampleParams: (s) => ({ factor: Math.floor(s.maxSide / 3) >= 2 && s.chance(0.5) ? 3 : 2 }),
  samplePair(s, { factor }) {
    const side = Math.floor(s.maxSide / factor);
    const input = content(s, ...dims(s, side, side), 0.5);
    const output = gridOf(input.h * factor, input.w * factor, (r, c) => at(input, Math.floor(r / factor), Math.floor(c / factor)));
    return { input, output };
  },
  check(input, output, { factor }) {
    if (output.h !== input.h * factor || output.w !== input.w * factor)
      return `output must be ${input.h * factor}x${input.w * factor}`;
    for (let r = 0; r < input.h; r++)
      for (let c = 0; c < input.w; c++)
        for (let k = 0; k < factor * factor; k++) {
          const rr = r * factor + Math.floor(k / factor), cc = c * factor + (k % factor);
          if (at(output, rr, cc) !== at(input, r, c)) return `block (${r},${c}) differs at output (${rr},${cc})`;
        }
    return null;
  },
};

export interface TileParams {
  /** Copies of the input stacked vertically and side by side. */
  rows: number;
  cols: number;
}

const TILINGS: readonly (readonly [number, number])[] = [[1, 2], [2, 1], [2, 2], [1, 3], [3, 1], [3, 3], [2, 3], [3, 2]];

export const tileFamily: RuleFamily<TileParams> = {
  name: 'tile',
  description: 'Repeat the input as a rows×cols tiling.',
  minMaxSide: 2,
  sampleParams(s) {
    const fits = TILINGS.filter(([r, c]) => Math.floor(s.maxSide / r) * Math.floor(s.maxSide / c) >= 2);
    const [rows, cols] = s.pick(s.difficulty < 0.5 ? fits.slice(0, 3) : fits);
    return { rows, cols };
  },
  samplePair(s, { rows, cols }) {
    const input = content(s, ...dims(s, Math.floor(s.maxSide / rows), Math.floor(s.maxSide / cols)), 0.4);
    const row = concat(Array.from({ length: cols }, () => input), 'h');
    return { input, output: concat(Array.from({ length: rows }, () => row), 'v') };
  },
  check(input, output, { rows, cols }) {
    if (output.h !== input.h * rows || output.w !== input.w * cols)
      return `output must be ${input.h * rows}x${input.w * cols}`;
    for (let r = 0; r < output.h; r++)
      for (let c = 0; c < output.w; c++)
        if (at(output, r, c) !== at(input, r % input.h, c % input.w)) return `output (${r},${c}) breaks the tiling`;
    return null;
  },
};

export interface MirrorParams {
  /** 'h': input beside its left-right mirror; 'v': above its up-down mirror; 'both': a 2×2 kaleidoscope. */
  axis: 'h' | 'v' | 'both';
  /** The mirrored copy comes first (left / top), so the input sits at the far end. */
  mirroredFirst: boolean;
}

export const mirrorConcatFamily: RuleFamily<MirrorParams> = {
  name: 'mirror-concat',
  description: 'Join the grid with its mirror image, side by side, stacked, or as a 2×2 kaleidoscope.',
  minMaxSide: 4,
  sampleParams(s) {
    const axes: MirrorParams['axis'][] = s.maxSide >= 4 && s.difficulty >= 0.5 ? ['h', 'v', 'both'] : ['h', 'v'];
    return { axis: s.pick(axes), mirroredFirst: s.chance(0.5) };
  },
  samplePair(s, { axis, mirroredFirst }) {
    const half = Math.floor(s.maxSide / 2);
    // The mirrored axis needs 2+ cells, or the input would be its own mirror image.
    const input = content(s, s.side(axis === 'h' ? 1 : 2, axis === 'h' ? s.maxSide : half), s.side(axis === 'v' ? 1 : 2, axis === 'v' ? s.maxSide : half), 0.4);
    const lr = dihedralGrid(input, 4), ud = dihedralGrid(input, 5);
    // A symmetric input would hide which copy is the mirrored one.
    if ((axis !== 'v' && gridEquals(lr, input)) || (axis !== 'h' && gridEquals(ud, input))) return null;
    const order = (a: Grid, b: Grid) => (mirroredFirst ? [b, a] : [a, b]);
    if (axis === 'h') return { input, output: concat(order(input, lr), 'h') };
    if (axis === 'v') return { input, output: concat(order(input, ud), 'v') };
    const top = concat(order(input, lr), 'h');
    return { input, output: concat(order(top, dihedralGrid(top, 5)), 'v') };
  },
  check(input, output, { axis, mirroredFirst }) {
    const fh = axis === 'h' ? 1 : 2, fw = axis === 'v' ? 1 : 2;
    if (output.h !== input.h * fh || output.w !== input.w * fw) return `output must be ${input.h * fh}x${input.w * fw}`;
    // The input must sit in its corner block, and the whole output must be mirror-symmetric on the joined axes.
    const r0 = mirroredFirst ? output.h - input.h : 0, c0 = mirroredFirst ? output.w - input.w : 0;
    for (let r = 0; r < input.h; r++)
      for (let c = 0; c < input.w; c++)
        if (at(output, r0 + r, c0 + c) !== at(input, r, c)) return `input cell (${r},${c}) is not copied unchanged`;
    for (let r = 0; r < output.h; r++)
      for (let c = 0; c < output.w; c++) {
        const v = at(output, r, c);
        if (fw === 2 && at(output, r, output.w - 1 - c) !== v) return `output (${r},${c}) is not mirrored left-right`;
        if (fh === 2 && at(output, output.h - 1 - r, c) !== v) return `output (${r},${c}) is not mirrored up-down`;
      }
    return null;
  },
};
