import { describe, expect, it } from 'vitest';
import { fromRows, gridEquals, gridKey, type Grid } from '../../src/data/grid';
import { FAMILIES, generateTask, generateTasks, getFamily, type ProceduralTask, type RuleFamily } from '../../src/data/procedural/index';
import { mulberry32 } from '../../src/nn/init';

const DIFFICULTIES = [0, 0.5, 1];
const SEEDS = 30;
const sidesFor = (f: RuleFamily<unknown>) => [...new Set([f.minMaxSide, 5, 10, 30])].filter((m) => m >= f.minMaxSide);

interface Group {
  difficulty: number;
  maxSide: number;
  tasks: ProceduralTask[];
}

// Generated once per family and shared by that family's tests.
const cache = new Map<string, Group[]>();
function groups(f: RuleFamily<unknown>): Group[] {
  let g = cache.get(f.name);
  if (!g) {
    g = [];
    for (const difficulty of DIFFICULTIES)
      for (const maxSide of sidesFor(f))
        g.push({ difficulty, maxSide, tasks: Array.from({ length: SEEDS }, (_, seed) => generateTask(f, { seed: 1000 + seed, difficulty, maxSide })) });
    cache.set(f.name, g);
  }
  return g;
}

const pairsOf = (t: ProceduralTask) => [...t.train, ...t.test].map((p) => ({ input: p.input, output: p.output as Grid }));
const taskKey = (t: ProceduralTask) => pairsOf(t).map((p) => `${gridKey(p.input)}>${gridKey(p.output)}`).join('|');
const where = (t: ProceduralTask, i: number) => `${t.id} d=${t.difficulty} maxSide=${t.maxSide} pair ${i} ${JSON.stringify(t.params)}`;

describe('procedural registry', () => {
  it('lists at least 20 families with unique names and descriptions', () => {
    expect(FAMILIES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(FAMILIES.map((f) => f.name)).size).toBe(FAMILIES.length);
    for (const f of FAMILIES) {
      expect(f.name).toMatch(/^[a-z][a-z-]*$/);
      expect(f.description.length).toBeGreaterThan(20);
      expect(f.minMaxSide).toBeGreaterThanOrEqual(1);
      expect(f.minMaxSide).toBeLessThanOrEqual(5); // every family fits a Mini-ARC-sized 5×5 canvas
    }
  });

  it('makes a task by name with a seed-derived id, and rejects bad options with a clear error', () => {
    const t = generateTask('gravity', { seed: 42, difficulty: 0.3, maxSide: 6 });
    expect(t.id).toBe('proc-gravity-42');
    expect(t.family).toBe('gravity');
    expect(t.train.length === 3 || t.train.length === 4).toBe(true);
    expect(t.test.length).toBe(1);
    expect(generateTask('tile', { seed: 1, trainPairs: 2 }).train.length).toBe(2);
    expect(() => getFamily('nope')).toThrow(/unknown procedural family "nope"; known: dihedral/);
    expect(() => generateTask('logic', { seed: 1, maxSide: 3 })).toThrow(/maxSide 3 is not an integer in 4\.\.30/);
    expect(() => generateTask('logic', { seed: 1, maxSide: 31 })).toThrow(/maxSide 31/);
    expect(() => generateTask('logic', { seed: 1, difficulty: 1.5 })).toThrow(/difficulty 1.5 is not in 0..1/);
    expect(() => generateTask('logic', { seed: 0.5 })).toThrow(/seed must be an integer/);
  });

  it('mixes N tasks across chosen families: balanced, unique ids, reproducible, within the difficulty range', () => {
    const families = ['gravity', 'recolour', 'outline'];
    const a = generateTasks(30, { seed: 7, families, difficulty: [0.2, 0.6], maxSide: 6 });
    expect(a.length).toBe(30);
    for (const name of families) expect(a.filter((t) => t.family === name).length).toBe(10);
    expect(new Set(a.map((t) => t.id)).size).toBe(30);
    for (const t of a) {
      expect(t.difficulty).toBeGreaterThanOrEqual(0.2);
      expect(t.difficulty).toBeLessThanOrEqual(0.6);
      expect(t.maxSide).toBe(6);
      expect(getFamily(t.family).check(t.test[0].input, t.test[0].output as Grid, t.params)).toBeNull();
    }
    const b = generateTasks(30, { seed: 7, families, difficulty: [0.2, 0.6], maxSide: 6 });
    expect(b.map(taskKey)).toEqual(a.map(taskKey));
    expect(generateTasks(30, { seed: 8, families, difficulty: [0.2, 0.6], maxSide: 6 }).map(taskKey)).not.toEqual(a.map(taskKey));
    // By default every family that fits the canvas takes part.
    const all = generateTasks(FAMILIES.length, { seed: 1, maxSide: 5 });
    expect(new Set(all.map((t) => t.family)).size).toBe(FAMILIES.length);
    expect(() => generateTasks(3, { seed: 1, families: ['logic'], maxSide: 3 })).toThrow(/logic needs maxSide >= 4/);
  });
});

describe('checkers on hand-made pairs', () => {
  const ok = (name: string, params: unknown, input: number[][], output: number[][]) =>
    getFamily(name).check(fromRows(input), fromRows(output), params);

  it('dihedral: transforms numbered as the HRM/TRM ARC builder (np.rot90 is counter-clockwise)', () => {
    const g = [[1, 2, 3], [4, 5, 6]];
    const want = [
      [[3, 6], [2, 5], [1, 4]], // 1 rot90
      [[6, 5, 4], [3, 2, 1]], // 2 rot180
      [[4, 1], [5, 2], [6, 3]], // 3 rot270
      [[3, 2, 1], [6, 5, 4]], // 4 fliplr
      [[4, 5, 6], [1, 2, 3]], // 5 flipud
      [[1, 4], [2, 5], [3, 6]], // 6 transpose
      [[6, 3], [5, 2], [4, 1]], // 7 anti-transpose
    ];
    want.forEach((rows, i) => {
      expect(ok('dihedral', { transform: i + 1 }, g, rows)).toBeNull();
      expect(ok('dihedral', { transform: i + 1 }, g, want[(i + 1) % 7])).not.toBeNull();
    });
  });

  it('gravity: cells stack in order; a wall pins itself and what lands on it', () => {
    const p = { dir: 'down', wall: 5 };
    expect(ok('gravity', p, [[1, 0], [0, 2], [5, 0], [0, 0]], [[0, 0], [1, 0], [5, 2], [0, 0]])).toMatch(/expected/);
    expect(ok('gravity', p, [[1, 0], [0, 2], [5, 0], [0, 0]], [[0, 0], [1, 0], [5, 0], [0, 2]])).toBeNull();
  });

  it('fill-enclosed: only background unreachable from the border is filled', () => {
    const input = [[3, 3, 3, 0], [3, 0, 3, 0], [3, 3, 3, 0], [0, 3, 0, 3]];
    expect(ok('fill-enclosed', { fill: 4 }, input, [[3, 3, 3, 0], [3, 4, 3, 0], [3, 3, 3, 0], [0, 3, 0, 3]])).toBeNull();
    expect(ok('fill-enclosed', { fill: 4 }, input, [[3, 3, 3, 0], [3, 4, 3, 0], [3, 3, 3, 0], [0, 3, 4, 3]])).not.toBeNull();
  });

  it('extend-lines: a diagonal ray runs to the border', () => {
    expect(ok('extend-lines', { dir: 'down-right' }, [[0, 0, 0], [2, 0, 0], [0, 0, 0]], [[0, 0, 0], [2, 0, 0], [0, 2, 0]])).toBeNull();
    expect(ok('extend-lines', { dir: 'down-right' }, [[0, 0, 0], [2, 0, 0], [0, 0, 0]], [[0, 0, 0], [2, 0, 0], [0, 0, 0]])).not.toBeNull();
  });

  it('logic: xor of the halves around the divider', () => {
    const p = { op: 'xor', split: 'cols', first: 1, second: 2, divider: 5, out: 3 };
    expect(ok('logic', p, [[1, 5, 2], [1, 5, 0], [0, 5, 2], [0, 5, 0]], [[0], [3], [3], [0]])).toBeNull();
    expect(ok('logic', { ...p, op: 'and' }, [[1, 5, 2], [1, 5, 0], [0, 5, 2], [0, 5, 0]], [[0], [3], [3], [0]])).not.toBeNull();
  });

  it('slide-to-contact: the mover stops next to the bar, not before or through it', () => {
    const p = { anchor: 8, mover: 2 };
    const input = [[2, 0], [0, 0], [0, 0], [8, 8]];
    expect(ok('slide-to-contact', p, input, [[0, 0], [0, 0], [2, 0], [8, 8]])).toBeNull();
    expect(ok('slide-to-contact', p, input, [[0, 0], [2, 0], [0, 0], [8, 8]])).toMatch(/stops before/);
  });

  it('symmetry-complete: hidden cells come from their mirror image', () => {
    const p = { axes: 'lr', mask: 9 };
    expect(ok('symmetry-complete', p, [[1, 2, 9], [3, 0, 3]], [[1, 2, 1], [3, 0, 3]])).toBeNull();
    expect(ok('symmetry-complete', p, [[1, 2, 9], [3, 0, 3]], [[1, 2, 2], [3, 0, 3]])).toMatch(/mirror/);
  });
});

describe.each(FAMILIES.map((f) => [f.name, f] as const))('family %s', (_name, f) => {
  it('every pair obeys the checker under the task params, within bounds, non-degenerate and unique', () => {
    // Problems are collected (not asserted one by one) so a failure lists them all and the loop stays fast.
    const problems: string[] = [];
    const fail = (t: ProceduralTask, i: number, what: string) => problems.push(`${where(t, i)}: ${what}`);
    for (const { maxSide, tasks } of groups(f))
      for (const t of tasks) {
        if (t.family !== f.name || t.id !== `proc-${f.name}-${t.seed}`) fail(t, -1, 'wrong family or id');
        if (t.train.length < 3 || t.train.length > 4 || t.test.length !== 1) fail(t, -1, `${t.train.length}+${t.test.length} pairs`);
        const pairs = pairsOf(t);
        pairs.forEach(({ input, output }, i) => {
          for (const g of [input, output]) {
            if (g.h < 1 || g.h > maxSide || g.w < 1 || g.w > maxSide) fail(t, i, `grid ${g.h}x${g.w} outside 1..${maxSide}`);
            if (g.cells.length !== g.h * g.w || g.cells.some((v) => v > 9)) fail(t, i, 'bad cells');
          }
          const why = f.check(input, output, t.params);
          if (why) fail(t, i, `checker: ${why}`);
          if (gridEquals(input, output)) fail(t, i, 'output equals input');
          if (new Set(input.cells).size < 2) fail(t, i, 'input is one colour');
        });
        if (new Set(pairs.map((p) => gridKey(p.input))).size !== pairs.length) fail(t, -1, 'duplicate inputs');
        const demoColours = new Set(pairs.slice(0, -1).flatMap((p) => [...p.input.cells, ...p.output.cells]));
        const test = pairs[pairs.length - 1];
        if (![...test.input.cells, ...test.output.cells].every((c) => demoColours.has(c))) fail(t, pairs.length - 1, 'colour unseen in the demos');
      }
    expect(problems).toEqual([]);
  });

  it('rejects an output with one cell changed (the checker is not trivially true)', () => {
    const rand = mulberry32(99);
    const accepted: string[] = [];
    for (const { tasks } of groups(f))
      for (const t of tasks)
        pairsOf(t).forEach(({ input, output }, i) => {
          const bad: Grid = { h: output.h, w: output.w, cells: output.cells.slice() };
          const k = Math.floor(rand() * bad.cells.length);
          bad.cells[k] = (bad.cells[k] + 1 + Math.floor(rand() * 9)) % 10;
          if (f.check(input, bad, t.params) === null) accepted.push(`${where(t, i)}: cell ${k}`);
        });
    expect(accepted).toEqual([]);
  });

  it('is reproducible from the seed, and different seeds give different tasks', () => {
    for (const { difficulty, maxSide, tasks } of groups(f)) {
      const again = generateTask(f, { seed: tasks[0].seed, difficulty, maxSide });
      expect(taskKey(again)).toBe(taskKey(tasks[0]));
      expect(again.params).toEqual(tasks[0].params);
      expect(new Set(tasks.map(taskKey)).size).toBe(tasks.length);
    }
  });

  it('draws hidden parameters per task; demonstrations leave no doubt about the test output', () => {
    // Any other task's parameters that explain every demonstration must also give the same test output
    // (checkers are complete: accepting the test pair means predicting its output).
    const distinct = new Set<string>();
    const ambiguous: string[] = [];
    let told = 0;
    for (const { tasks } of groups(f))
      for (const t of tasks) {
        distinct.add(JSON.stringify(t.params));
        const [demos, [test]] = [pairsOf(t).slice(0, -1), pairsOf(t).slice(-1)];
        const others = [...new Set(tasks.map((u) => JSON.stringify(u.params)))].filter((p) => p !== JSON.stringify(t.params));
        for (const p of others.slice(0, 4)) {
          const params: unknown = JSON.parse(p);
          if (demos.some(({ input, output }) => f.check(input, output, params) !== null)) told++;
          else if (f.check(test.input, test.output, params) !== null) ambiguous.push(`${where(t, -1)}: demos also fit ${p}`);
        }
      }
    expect(ambiguous).toEqual([]);
    expect(distinct.size).toBeGreaterThan(1);
    expect(told).toBeGreaterThan(0);
  });
});
