import { describe, expect, it } from 'vitest';
import { parseKaggleCombined } from '../../src/data/arc-json';
import { fromRows, type ArcTask } from '../../src/data/grid';
import { parseLocalFiles } from '../../src/io/local-files';
import {
  collectionReducer, collectionView, EMPTY_COLLECTION, filterEntries, gridMove, isFiltered, NO_FILTER, pageOf, settleLoad,
  sortEntries, trainingCollection, type CollectionState, type DatasetSet,
} from '../../src/ui/datasets/collection';
import { itemStats, type DatasetItem } from '../../src/ui/datasets/items';
import { localSets, mazeSet, proceduralSet, readNumber, sudokuSet } from '../../src/ui/datasets/loaders';
import { ARC_PALETTE, MAZE_PALETTE } from '../../src/ui/datasets/palette';
import { thumbnailLayout, thumbnailPixels } from '../../src/ui/datasets/thumbnail';
import { combinedIds, readArc } from '../helpers/datasets';

const task = (id: string, rows: number[][], out: number[][] = rows): ArcTask => ({ id, train: [{ input: fromRows(rows), output: fromRows(out) }], test: [{ input: fromRows(rows) }] });
const arc = (t: ArcTask): DatasetItem => ({ kind: 'arc', id: t.id, task: t });
const set = (origin: string, items: DatasetItem[], role: DatasetSet['role'] = 'none'): DatasetSet => ({ origin, title: origin, kind: 'public', role, items, sources: [`https://x/${origin}`] });
const kaggleSet = (split: string, origin: string, role: DatasetSet['role']) => {
  const tasks = parseKaggleCombined(
    { name: `${split}_challenges`, text: readArc(`arc-kaggle/arc-agi_${split}_challenges.json`) },
    { name: `${split}_solutions`, text: readArc(`arc-kaggle/arc-agi_${split}_solutions.json`) },
  );
  return set(origin, tasks.map(arc), role);
};

/** The largest grid side in the combined files of `splits`, from the raw JSON (independent of the parsers). */
function largestSide(...splits: string[]): number {
  let side = 0;
  const visit = (v: unknown): void => {
    if (!Array.isArray(v)) return void (v && typeof v === 'object' && Object.values(v).forEach(visit));
    if (v.length && Array.isArray(v[0]) && typeof v[0][0] === 'number') side = Math.max(side, v.length, ...v.map((r: unknown[]) => r.length));
    else v.forEach(visit);
  };
  for (const s of splits) for (const kind of ['challenges', 'solutions']) visit(JSON.parse(readArc(`arc-kaggle/arc-agi_${s}_${kind}.json`)));
  return side;
}

describe('collection reducer', () => {
  const a = set('a', [arc(task('t1', [[1]]))]);
  const b = set('b', [arc(task('t2', [[2]]))]);

  it('adds sets, replaces a reloaded origin in place, removes and clears', () => {
    let s = collectionReducer(EMPTY_COLLECTION, { type: 'loaded', sets: [a] });
    s = collectionReducer(s, { type: 'loaded', sets: [b] });
    const a2 = set('a', [arc(task('t9', [[9]]))]);
    s = collectionReducer(s, { type: 'loaded', sets: [a2] });
    expect(s.sets.map((x) => x.items[0].id)).toEqual(['t9', 't2']);
    s = collectionReducer(s, { type: 'remove-set', origin: 'a' });
    expect(s.sets.map((x) => x.origin)).toEqual(['b']);
    expect(collectionReducer(s, { type: 'clear' }).sets).toEqual([]);
  });

  it('a failed load keeps everything loaded (even the set it tried to reload) and records its error once', () => {
    let s: CollectionState = collectionReducer(EMPTY_COLLECTION, { type: 'loaded', sets: [a, b] });
    s = collectionReducer(s, { type: 'loading', origin: 'a', state: { kind: 'public', done: 0, total: 2 } });
    const err = { origin: 'a', kind: 'public' as const, message: 'could not fetch https://x/a (offline or blocked?): Failed to fetch' };
    s = collectionReducer(s, { type: 'failed', errors: [err], origin: 'a' });
    s = collectionReducer(s, { type: 'failed', errors: [{ ...err, message: 'again' }], origin: 'a' });
    expect(s.sets).toEqual([a, b]);
    expect(s.errors).toEqual([{ ...err, message: 'again' }]);
    expect(s.loading).toEqual({});
    // A later success of the same origin clears its error; dismissing clears others.
    s = collectionReducer(s, { type: 'failed', errors: [{ origin: 'other.json', kind: 'local', message: 'bad' }] });
    s = collectionReducer(s, { type: 'loaded', sets: [a], origin: 'a' });
    expect(s.errors.map((e) => e.origin)).toEqual(['other.json']);
    expect(collectionReducer(s, { type: 'dismiss-error', origin: 'other.json' }).errors).toEqual([]);
  });

  it('settleLoad turns a throw into the error of that origin, and a result into its sets', async () => {
    const ok = await settleLoad('a', 'public', async () => [a]);
    expect(ok).toEqual({ type: 'loaded', sets: [a], origin: 'a' });
    const bad = await settleLoad('b', 'builtin', async () => {
      throw new Error('maxSide 2 is not an integer in 3..30');
    });
    expect(bad).toEqual({ type: 'failed', errors: [{ origin: 'b', kind: 'builtin', message: 'maxSide 2 is not an integer in 3..30' }], origin: 'b' });
  });

  it('a local drop with a fixed file clears that file\'s earlier error; errors of other files stay', () => {
    const good = { name: 'mine/fixed.json', text: readArc('arc-agi-1/training/007bbfb7.json') };
    const first = localSets(parseLocalFiles([{ name: 'mine/fixed.json', text: '{' }, { name: 'mine/other.json', text: '[]' }]));
    let s = collectionReducer(EMPTY_COLLECTION, { type: 'loaded', ...first, origin: 'local' });
    expect(s.errors.map((e) => e.origin).sort()).toEqual(['mine/fixed.json', 'mine/other.json']);
    s = collectionReducer(s, { type: 'loaded', ...localSets(parseLocalFiles([good])), origin: 'local' });
    expect(s.errors.map((e) => e.origin)).toEqual(['mine/other.json']);
    expect(s.sets.map((x) => [x.origin, x.items.length])).toEqual([['local:mine/', 1]]);
  });
});

describe('collection view', () => {
  it('dedupes by id across sets: ARC-AGI-2 training repeats ARC-AGI-1 evaluation tasks, shown once', () => {
    const ev1 = kaggleSet('evaluation', 'arc-agi-1-evaluation', 'eval');
    const tr2 = kaggleSet('training2', 'arc-agi-2-training', 'train');
    const view = collectionView([ev1, tr2]);
    const keys = view.entries.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    const dup = view.duplicates.get('arc-agi-2-training')!;
    expect(dup).toBeGreaterThan(0);
    expect(view.duplicates.get('arc-agi-1-evaluation')).toBe(0);
    expect(view.entries.length).toBe(combinedIds('evaluation').length + combinedIds('training2').length - dup);
    // The first set keeps a shared id; removing it hands the id to the later set.
    const shared = tr2.items.find((i) => ev1.items.some((j) => j.id === i.id))!;
    expect(view.entries.find((e) => e.item.id === shared.id)!.set.origin).toBe('arc-agi-1-evaluation');
    expect(collectionView([tr2]).entries.find((e) => e.item.id === shared.id)!.set.origin).toBe('arc-agi-2-training');
  });

  it('filters by id text, kind, set, size and colour count; sorts; pages', () => {
    const items = [arc(task('gravity-1', [[1, 0], [0, 0]])), arc(task('big', Array.from({ length: 12 }, () => Array(12).fill(3)), [[1, 2, 4]])), arc(task('Gravity-2', [[5]]))];
    const s = sudokuSet({ size: 4, count: 2, difficulty: 0.5, seed: 1 });
    const view = collectionView([set('p', items), s]);
    const ids = (f: Partial<typeof NO_FILTER>) => filterEntries(view.entries, { ...NO_FILTER, ...f }).map((e) => e.item.id);
    expect(ids({ text: 'GRAV' })).toEqual(['gravity-1', 'Gravity-2']);
    expect(ids({ kind: 'arc', maxSide: 2 })).toEqual(['gravity-1', 'Gravity-2']);
    expect(ids({ minSide: 10 })).toEqual(['big']);
    expect(ids({ kind: 'arc', minColours: 4 })).toEqual(['big']);
    expect(ids({ kind: 'arc', maxColours: 1 })).toEqual(['Gravity-2']);
    expect(ids({ origin: s.origin })).toHaveLength(2);
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, maxSide: 10 })).toBe(true);
    const arcOnly = filterEntries(view.entries, { ...NO_FILTER, kind: 'arc' });
    expect(sortEntries(arcOnly, 'id').map((e) => e.item.id)).toEqual(['big', 'gravity-1', 'Gravity-2']);
    expect(sortEntries(arcOnly, 'size').map((e) => e.item.id)).toEqual(['Gravity-2', 'gravity-1', 'big']);
    expect(sortEntries(arcOnly, 'loaded').map((e) => e.item.id)).toEqual(['gravity-1', 'big', 'Gravity-2']);
    expect(pageOf([1, 2, 3, 4, 5], 1, 2)).toEqual({ items: [3, 4], page: 1, pages: 3 });
    expect(pageOf([1, 2, 3], 9, 2)).toEqual({ items: [3], page: 1, pages: 2 });
    expect(pageOf([], 0, 2)).toEqual({ items: [], page: 0, pages: 1 });
  });

  it('item stats: largest side, colours, first-pair shape and counts', () => {
    const t = task('x', [[0, 1, 2]], [[3], [3]]);
    expect(itemStats(arc(t))).toEqual({ maxSide: 3, colours: 4, shape: '1×3→2×1', counts: '1 demo · 1 test' });
    const m = mazeSet({ size: 7, count: 1, minPathLength: 4, seed: 2 }).items[0];
    expect(itemStats(m)).toMatchObject({ maxSide: 7, shape: '7×7', counts: 'path known' });
  });

  it('arrow keys move through a grid of thumbnails and stay in range', () => {
    expect(gridMove('ArrowRight', 3, 10, 4)).toBe(4);
    expect(gridMove('ArrowDown', 3, 10, 4)).toBe(7);
    expect(gridMove('ArrowDown', 7, 10, 4)).toBe(7);
    expect(gridMove('ArrowUp', 2, 10, 4)).toBe(2);
    expect(gridMove('ArrowLeft', 0, 10, 4)).toBe(0);
    expect(gridMove('End', 0, 10, 4)).toBe(9);
    expect(gridMove('x', 0, 10, 4)).toBeNull();
  });
});

describe('training split', () => {
  it('evaluation sets are the eval tasks, the rest train; canvas fits the largest grid', () => {
    const view = collectionView([kaggleSet('training', 'arc-agi-1-training', 'train'), kaggleSet('evaluation', 'arc-agi-1-evaluation', 'eval'), kaggleSet('concept', 'concept-arc', 'train')]);
    const t = trainingCollection(view.entries)!;
    expect(t.how).toBe('eval sets');
    expect(t.split.eval).toHaveLength(combinedIds('evaluation').length);
    expect(t.split.train).toHaveLength(combinedIds('training').length + combinedIds('concept').length);
    expect(t.canvas).toBe(Math.min(30, largestSide('training', 'evaluation', 'concept') + 1)); // one EOS bar; 30 needs none
  });

  it('without evaluation sets a seeded fraction is held out; sudoku items are ignored; null without ARC', () => {
    const p = proceduralSet({ count: 20, difficulty: 0.2, maxSide: 6, seed: 3 });
    const view = collectionView([p, sudokuSet({ size: 4, count: 3, difficulty: 0.5, seed: 1 })]);
    const t = trainingCollection(view.entries, { seed: 1 })!;
    expect(t.how).toBe('held out');
    expect(t.split.eval).toHaveLength(4);
    expect(t.split.train).toHaveLength(16);
    expect(t.canvas).toBeLessThanOrEqual(7);
    expect(trainingCollection(collectionView([mazeSet({ size: 5, count: 2, minPathLength: 2, seed: 1 })]).entries)).toBeNull();
  });
});

describe('built-in sets', () => {
  it('procedural: same parameters give the same origin and tasks; ids carry the family', () => {
    const a = proceduralSet({ count: 12, difficulty: 0.4, maxSide: 8, seed: 5 });
    const b = proceduralSet({ count: 12, difficulty: 0.4, maxSide: 8, seed: 5 });
    expect(a.origin).toBe(b.origin);
    expect(a.items.map((i) => i.id)).toEqual(b.items.map((i) => i.id));
    expect(a.items[0].id).toMatch(/^proc-/);
    const g = proceduralSet({ count: 3, difficulty: 0.4, maxSide: 8, seed: 5, families: ['gravity'] });
    expect(g.origin).not.toBe(a.origin);
    expect(g.items.every((i) => i.id.startsWith('proc-gravity-'))).toBe(true);
    expect(() => proceduralSet({ count: 3, difficulty: 0.4, maxSide: 8, seed: 5, families: ['nope'] })).toThrow(/unknown procedural family "nope"/);
  });

  it('form numbers: a value or the message to show', () => {
    expect(readNumber('Tasks', '40', 1, 2000)).toBe(40);
    expect(readNumber('Tasks', '', 1, 2000)).toBe('Tasks: enter a number');
    expect(readNumber('Tasks', '2.5', 1, 2000)).toBe('Tasks: 2.5 is not a whole number');
    expect(readNumber('Difficulty', '1.5', 0, 1, false)).toBe('Difficulty: 1.5 is outside 0..1');
    expect(readNumber('Difficulty', '0.25', 0, 1, false)).toBe(0.25);
  });
});

describe('thumbnails', () => {
  it('input and output side by side, each framed, a transparent gap between, canonical colours at an integer scale', () => {
    const input = fromRows([[1, 2], [3, 4]]);
    const output = fromRows([[9]]);
    expect(thumbnailLayout([input, output], 100)).toEqual({ scale: 24, width: 4 * 24 + 4, height: 2 * 24 + 2 });
    const px = thumbnailPixels([input, output], { palette: ARC_PALETTE, box: 12 });
    // scale 2: [frame, 2×2 cells ×2 px, frame] gap 2 px [frame, 1 cell ×2 px, frame]
    expect([px.width, px.height]).toEqual([12, 6]);
    const at = (x: number, y: number) => Array.from(px.data.subarray((y * px.width + x) * 4, (y * px.width + x) * 4 + 4));
    const frame = [0x55, 0x55, 0x55, 255];
    expect(at(0, 0)).toEqual(frame);
    expect(at(1, 1)).toEqual([0x00, 0x74, 0xd9, 255]); // 1 blue
    expect(at(4, 2)).toEqual([0xff, 0x41, 0x36, 255]); // 2 red, second cell of row 0
    expect(at(4, 4)).toEqual([0xff, 0xdc, 0x00, 255]); // 4 yellow
    expect(at(5, 5)).toEqual(frame);
    expect(at(6, 0)).toEqual([0, 0, 0, 0]); // gap
    expect(at(8, 0)).toEqual(frame);
    expect(at(9, 1)).toEqual([0x87, 0x0c, 0x25, 255]); // 9 brown
    expect(at(9, 4)).toEqual([0, 0, 0, 0]); // below the 1×1 output
  });

  it('a 30×30 pair still fits its box at one pixel per cell', () => {
    const g = fromRows(Array.from({ length: 30 }, () => Array(30).fill(0)));
    const px = thumbnailPixels([g, g], { palette: ARC_PALETTE, box: 40 });
    expect([px.width, px.height]).toEqual([65, 32]);
    const maze = mazeSet({ size: 5, count: 1, minPathLength: 2, seed: 1 }).items[0];
    expect(maze.kind === 'maze' && thumbnailPixels([maze.input], { palette: MAZE_PALETTE, box: 12 }).width).toBe(12);
  });
});
