/** What the Datasets panel lists and hands to onSelect, and the per-item numbers it filters and sorts by. */
import type { ArcTask, Grid } from '../../data/grid';

export type DatasetItem =
  | { kind: 'arc'; id: string; task: ArcTask }
  /** Digits 0..size (0 blank), as src/data/sudoku.ts. */
  | { kind: 'sudoku'; id: string; puzzle: Grid; solution?: Grid }
  /** Maze cell codes as src/data/maze.ts; `label` has the shortest path drawn in when G is reachable. */
  | { kind: 'maze'; id: string; input: Grid; label?: Grid };

export type ItemKind = DatasetItem['kind'];

export interface ItemStats {
  /** Largest side of any grid in the item. */
  maxSide: number;
  /** Distinct colours (cell values) over all its grids. */
  colours: number;
  /** e.g. "3×3→9×9" for the first demonstration, "9×9" for a sudoku. */
  shape: string;
  /** e.g. "4 demos · 1 test". */
  counts: string;
}

export function itemGrids(item: DatasetItem): Grid[] {
  switch (item.kind) {
    case 'arc':
      return [...item.task.train, ...item.task.test].flatMap((p) => (p.output ? [p.input, p.output] : [p.input]));
    case 'sudoku':
      return item.solution ? [item.puzzle, item.solution] : [item.puzzle];
    case 'maze':
      return item.label ? [item.input, item.label] : [item.input];
  }
}

const statsCache = new WeakMap<DatasetItem, ItemStats>();

/** Stats are computed once per item object (items are immutable once loaded). */
export function itemStats(item: DatasetItem): ItemStats {
  const hit = statsCache.get(item);
  if (hit) return hit;
  const grids = itemGrids(item);
  const seen = new Set<number>();
  let maxSide = 0;
  for (const g of grids) {
    maxSide = Math.max(maxSide, g.h, g.w);
    for (const v of g.cells) seen.add(v);
  }
  const dims = (g: Grid) => `${g.h}×${g.w}`;
  let shape: string;
  let counts: string;
  if (item.kind === 'arc') {
    const first = item.task.train[0];
    shape = first.output ? `${dims(first.input)}→${dims(first.output)}` : dims(first.input);
    counts = `${item.task.train.length} demo${item.task.train.length === 1 ? '' : 's'} · ${item.task.test.length} test`;
  } else if (item.kind === 'sudoku') {
    shape = dims(item.puzzle);
    const givens = item.puzzle.cells.reduce((n, v) => n + (v ? 1 : 0), 0);
    counts = `${givens} givens${item.solution ? ' · solved' : ''}`;
  } else {
    shape = dims(item.input);
    counts = item.label ? 'path known' : 'G unreachable';
  }
  const stats = { maxSide, colours: seen.size, shape, counts };
  statsCache.set(item, stats);
  return stats;
}
