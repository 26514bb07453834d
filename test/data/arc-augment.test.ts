import { describe, expect, it } from 'vitest';
import {
  AUG_RETRIES_FACTOR, type Augmentation, IDENTITY_AUGMENTATION, PuzzleIdRegistry, augmentGrid, augmentTask, augmentedName,
  encodePuzzleExamples, generateVersions, invertAugmentationGrid, parseAugmentedName, randomAugmentation, translationOffsets,
} from '../../src/data/arc-augment';
import { parseKaggleCombined } from '../../src/data/arc-json';
import { decodeCanvas } from '../../src/data/arc-encoding';
import {
  DIHEDRAL_IDS, DIHEDRAL_INVERSE, dihedralCanvas, dihedralGrid, dihedralShape, inverseDihedralCanvas, inverseDihedralGrid,
} from '../../src/data/dihedral';
import { type ArcTask, type Grid, fromRows, gridEquals, makeGrid, toRows } from '../../src/data/grid';
import { mulberry32 } from '../../src/nn/init';
import { combinedIds, readArc } from '../helpers/datasets';

const combined = (split: string) => {
  const f = (kind: string) => {
    const name = `arc-kaggle/arc-agi_${split}_${kind}.json`;
    return { name, text: readArc(name) };
  };
  return parseKaggleCombined(f('challenges'), f('solutions'));
};
const realTasks = [...combined('training'), ...combined('evaluation')];

const grids = (t: ArcTask): Grid[] => [...t.train, ...t.test].flatMap((p) => (p.output ? [p.input, p.output] : [p.input]));

function randomGrid(h: number, w: number, rng: () => number): Grid {
  const g = makeGrid(h, w);
  for (let i = 0; i < g.cells.length; i++) g.cells[i] = Math.floor(rng() * 10);
  return g;
}

describe('dihedral transforms (NumPy semantics, reference numbering)', () => {
  // Worked by hand from NumPy's definitions for a = [[1,2,3],[4,5,6]].
  const a = fromRows([[1, 2, 3], [4, 5, 6]]);
  const expected: number[][][] = [
    [[1, 2, 3], [4, 5, 6]], // 0 identity
    [[3, 6], [2, 5], [1, 4]], // 1 np.rot90(a): counter-clockwise
    [[6, 5, 4], [3, 2, 1]], // 2 np.rot90(a, 2)
    [[4, 1], [5, 2], [6, 3]], // 3 np.rot90(a, 3): clockwise
    [[3, 2, 1], [6, 5, 4]], // 4 np.fliplr
    [[4, 5, 6], [1, 2, 3]], // 5 np.flipud
    [[1, 4], [2, 5], [3, 6]], // 6 a.T
    [[6, 3], [5, 2], [4, 1]], // 7 np.fliplr(np.rot90(a))
  ];

  it.each(DIHEDRAL_IDS.map((t) => [t]))('transform %i on a 2x3 grid', (t) => {
    const out = dihedralGrid(a, t);
    expect(toRows(out)).toEqual(expected[t]);
    expect([out.h, out.w]).toEqual(dihedralShape(t, 2, 3));
  });

  it('the inverse table is the group inverse, and the 8 transforms are distinct', () => {
    expect(DIHEDRAL_INVERSE).toEqual([0, 3, 2, 1, 4, 5, 6, 7]);
    const g = randomGrid(4, 7, mulberry32(1)); // no symmetry (checked by distinctness below)
    expect(new Set(DIHEDRAL_IDS.map((t) => toRows(dihedralGrid(g, t)).join(';'))).size).toBe(8);
    for (const t of DIHEDRAL_IDS) {
      const undo = DIHEDRAL_IDS.filter((s) => gridEquals(dihedralGrid(dihedralGrid(g, t), s), g));
      expect(undo).toEqual([DIHEDRAL_INVERSE[t]]);
      expect(gridEquals(inverseDihedralGrid(dihedralGrid(g, t), t), g)).toBe(true);
      expect(gridEquals(dihedralGrid(inverseDihedralGrid(g, t), t), g)).toBe(true);
    }
  });

  it('square token canvases transform like grids and round-trip', () => {
    const rng = mulberry32(2);
    const side = 6;
    const tokens = Int32Array.from({ length: side * side }, () => Math.floor(rng() * 12));
    const asGrid: Grid = { h: side, w: side, cells: Uint8Array.from(tokens) };
    for (const t of DIHEDRAL_IDS) {
      const out = dihedralCanvas(tokens, side, t);
      expect(out).toBeInstanceOf(Int32Array);
      expect(Array.from(out)).toEqual(Array.from(dihedralGrid(asGrid, t).cells));
      expect(Array.from(inverseDihedralCanvas(out, side, t))).toEqual(Array.from(tokens));
    }
    expect(() => dihedralCanvas(tokens, 5, 1)).toThrow('canvas has 36 tokens, expected 5×5');
    expect(() => dihedralGrid(asGrid, 8)).toThrow('dihedral transform id 8 is not an integer 0..7');
  });
});

describe('dihedral × colour augmentation on real tasks (ARC-AGI-1 training + evaluation)', () => {
  it('inverse ∘ forward is the identity for all 8 transforms with random colour maps; 0 never moves', () => {
    expect(realTasks).toHaveLength(combinedIds('training').length + combinedIds('evaluation').length);
    const rng = mulberry32(3);
    const zeros = (x: Grid) => ({ ...x, cells: x.cells.map((c) => (c === 0 ? 1 : 0)) });
    let checked = 0;
    const failures: string[] = []; // collected, not asserted per cell: millions of expect() calls are too slow
    for (const task of realTasks)
      for (const tid of DIHEDRAL_IDS) {
        const aug: Augmentation = { ...randomAugmentation(rng), tid };
        expect(aug.colors[0]).toBe(0);
        expect([...aug.colors].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        const version = augmentTask(task, aug);
        const [orig, augd] = [grids(task), grids(version)];
        augd.forEach((g, i) => {
          checked++;
          if (!gridEquals(invertAugmentationGrid(g, aug), orig[i])) failures.push(`${version.id} grid ${i}: inverse`);
          // Black stays exactly where the spatial transform alone puts it; other colours are renamed one-to-one.
          if (!gridEquals(zeros(g), dihedralGrid(zeros(orig[i]), tid))) failures.push(`${version.id} grid ${i}: black moved`);
          const spatial = dihedralGrid(orig[i], tid);
          if (!g.cells.every((c, k) => c === aug.colors[spatial.cells[k]])) failures.push(`${version.id} grid ${i}: colours`);
        });
      }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(realTasks.length * 8 * 6); // ≥ 2 demonstrations and a solved test each
  });

  it('a worked example: colour map, then rot90 counter-clockwise', () => {
    const aug: Augmentation = { tid: 1, colors: [0, 4, 9, 2, 8, 1, 5, 7, 3, 6] };
    expect(toRows(augmentGrid(fromRows([[0, 1], [2, 3]]), aug))).toEqual([[4, 2], [0, 9]]);
  });
});

describe('version names (TRM ids)', () => {
  it('name|||t{tid}|||{mapping} and back; the identity keeps the plain name', () => {
    const aug: Augmentation = { tid: 3, colors: [0, 4, 9, 2, 8, 1, 5, 7, 3, 6] };
    expect(augmentedName('007bbfb7', aug)).toBe('007bbfb7|||t3|||0492815736');
    expect(parseAugmentedName('007bbfb7|||t3|||0492815736')).toEqual({ name: '007bbfb7', aug });
    expect(augmentedName('007bbfb7', IDENTITY_AUGMENTATION)).toBe('007bbfb7');
    expect(parseAugmentedName('007bbfb7')).toEqual({ name: '007bbfb7', aug: IDENTITY_AUGMENTATION });
    const rng = mulberry32(4);
    for (let i = 0; i < 200; i++) {
      const a = randomAugmentation(rng);
      expect(parseAugmentedName(augmentedName('Copy1', a))).toEqual({ name: 'Copy1', aug: a });
    }
  });

  it.each([
    ['x|||t8|||0123456789', 'transform "t8"'],
    ['x|||t1|||0123456788', 'colour map "0123456788" is not 0 followed by a permutation of 1..9'],
    ['x|||t1|||1023456789', 'colour map "1023456789" is not 0 followed by a permutation of 1..9'],
    ['x|||t1', '1 separators'],
  ])('rejects %s', (s, why) => {
    expect(() => parseAugmentedName(s)).toThrow(`puzzle id ${JSON.stringify(s)}: ${why}`);
  });
});

describe('augmented versions of a task', () => {
  const textOf = (t: ArcTask) =>
    [...t.train, ...t.test].map((p) => JSON.stringify([toRows(p.input), p.output && toRows(p.output)])).sort().join('\n');

  it('yields K distinct versions (+ the original) whose inverse is the original, reproducibly from the seed', () => {
    for (const task of realTasks.slice(0, 40)) {
      const group = generateVersions(task, 8, mulberry32(5));
      expect(group).toHaveLength(9);
      expect(group[0]).toEqual({ name: task.id, aug: IDENTITY_AUGMENTATION, task });
      expect(new Set(group.map((v) => textOf(v.task))).size).toBe(9);
      expect(new Set(group.map((v) => v.name)).size).toBe(9);
      for (const v of group) {
        expect(v.task.id).toBe(v.name);
        expect(parseAugmentedName(v.name)).toEqual({ name: task.id, aug: v.aug });
        const back = grids(v.task).map((g) => invertAugmentationGrid(g, v.aug));
        back.forEach((g, i) => expect(gridEquals(g, grids(task)[i])).toBe(true));
      }
      expect(generateVersions(task, 8, mulberry32(5)).map((v) => v.name)).toEqual(group.map((v) => v.name));
    }
  });

  it('a task with few distinct versions stops after 5·K draws with what exists', () => {
    const single: ArcTask = { id: 'one', train: [{ input: fromRows([[3]]), output: fromRows([[3]]) }], test: [{ input: fromRows([[3]]) }] };
    let draws = 0;
    const rng = mulberry32(6);
    const counted = () => (draws++, rng());
    const group = generateVersions(single, 20, counted);
    // Only the colour 3 can change (to any of 1..9): exactly 9 distinct versions exist.
    expect(group.map((v) => v.task.train[0].input.cells[0]).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(draws).toBe(AUG_RETRIES_FACTOR * 20 * 9); // 1 transform + 8 swaps per draw, every draw used

    const black: ArcTask = { id: 'black', train: [{ input: makeGrid(2, 2), output: makeGrid(2, 2) }], test: [{ input: makeGrid(2, 2) }] };
    expect(generateVersions(black, 10, mulberry32(7))).toHaveLength(1);
  });
});

describe('puzzle id registry', () => {
  it('assigns ids in first-seen order from 1 (0 = blank) and round-trips through JSON', () => {
    const reg = new PuzzleIdRegistry();
    const aug: Augmentation = { tid: 3, colors: [0, 4, 9, 2, 8, 1, 5, 7, 3, 6] };
    expect(reg.idOf('a')).toBe(1);
    expect(reg.idFor('a', aug)).toBe(2);
    expect(reg.idOf('b')).toBe(3);
    expect(reg.idOf('a|||t3|||0492815736')).toBe(2);
    expect(reg.idOf('a')).toBe(1);
    expect(reg.count).toBe(4);
    expect(reg.nameOf(0)).toBe('<blank>');
    expect(reg.get('zz')).toBeUndefined();
    const json = JSON.parse(JSON.stringify(reg));
    expect(json).toEqual(['<blank>', 'a', 'a|||t3|||0492815736', 'b']);
    const back = PuzzleIdRegistry.fromJSON(json);
    expect(['a', 'a|||t3|||0492815736', 'b'].map((n) => back.get(n))).toEqual([1, 2, 3]);
    expect(back.idOf('c')).toBe(4);
  });

  it('honours a start offset (TRM puzzle_identifiers_start) and rejects bad JSON', () => {
    const reg = new PuzzleIdRegistry(3);
    expect(reg.idOf('x')).toBe(3);
    expect(reg.toJSON()).toEqual(['<blank>', '<blank>', '<blank>', 'x']);
    const back = PuzzleIdRegistry.fromJSON(reg.toJSON());
    expect(back.get('x')).toBe(3);
    expect(back.idOf('y')).toBe(4);
    expect(PuzzleIdRegistry.fromJSON(new PuzzleIdRegistry(5).toJSON()).idOf('z')).toBe(5);
    expect(() => PuzzleIdRegistry.fromJSON(['<blank>', 'a', 'a'])).toThrow('puzzle id registry: entry 2 repeats "a" (id 1)');
    expect(() => PuzzleIdRegistry.fromJSON(['a'])).toThrow('expected a list of names starting with "<blank>"');
    expect(() => PuzzleIdRegistry.fromJSON(['<blank>', 7])).toThrow('entry 1 is not a string');
  });

  it('gives every version of every task its own id', () => {
    const reg = new PuzzleIdRegistry();
    const rng = mulberry32(8);
    const names = realTasks.slice(0, 20).flatMap((t) => generateVersions(t, 4, rng).map((v) => v.name));
    const ids = names.map((n) => reg.idOf(n));
    expect(ids).toEqual(names.map((_, i) => i + 1));
  });
});

describe('translation for training', () => {
  const pairs = [
    { input: makeGrid(2, 3), output: makeGrid(4, 1) },
    { input: makeGrid(1, 1), output: makeGrid(1, 1) },
    { input: makeGrid(5, 5), output: makeGrid(3, 3) },
    { input: makeGrid(2, 2) },
  ];

  it('offsets stay inside the canvas for the larger grid, one example per puzzle stays at the origin', () => {
    const side = 6;
    const rng = mulberry32(9);
    const seen = pairs.map(() => new Set<string>());
    for (let trial = 0; trial < 2000; trial++) {
      const offs = translationOffsets(pairs, side, rng, true);
      expect(offs.some((o) => o.row === 0 && o.col === 0)).toBe(true);
      offs.forEach((o, i) => {
        const h = Math.max(pairs[i].input.h, pairs[i].output?.h ?? 0);
        const w = Math.max(pairs[i].input.w, pairs[i].output?.w ?? 0);
        expect(o.row >= 0 && o.col >= 0 && o.row + h <= side && o.col + w <= side).toBe(true);
        seen[i].add(`${o.row},${o.col}`);
      });
    }
    // Every allowed offset is drawn: (6-4+1)(6-3+1) = 12, 36, 4, 25.
    expect(seen.map((s) => s.size)).toEqual([12, 36, 4, 25]);
    expect(translationOffsets(pairs, side, rng, false)).toEqual(pairs.map(() => ({ row: 0, col: 0 })));
  });

  it('encodes a puzzle with its id; the untranslated example decodes at the origin; too-big grids are named', () => {
    const rng = mulberry32(10);
    const real = realTasks.find((t) => grids(t).every((g) => g.h <= 8 && g.w <= 8))!;
    const examples = encodePuzzleExamples(real.train, 10, 42, rng, true, (i) => `task ${real.id}, train pair ${i}`);
    expect(examples.every((e) => e.puzzleId === 42 && e.inputs.length === 100)).toBe(true);
    const atOrigin = examples.filter((e, i) => gridEquals(decodeCanvas(e.inputs, 10), real.train[i].input));
    expect(atOrigin.length).toBeGreaterThanOrEqual(1);
    const big = [{ input: makeGrid(3, 3), output: makeGrid(3, 11) }];
    expect(() => encodePuzzleExamples(big, 10, 1, rng, true, (i) => `task q, train pair ${i}`)).toThrow(
      'task q, train pair 0: output 3x11 does not fit the 10x10 canvas',
    );
  });
});
