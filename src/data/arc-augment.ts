/**
 * ARC augmentation as the reference (TRM dataset/build_arc_dataset.py): a version of a task = one dihedral
 * transform + one permutation of colours 1..9 (0, black, never moves), applied to every grid of the task, colour map
 * first, then the spatial transform. Versions are named `name|||t{tid}|||{mapping digits}` (the original keeps its
 * plain name), de-duplicated by the content of the whole transformed task, and given integer puzzle ids in
 * first-seen order. Training examples also get a random translation, except one per puzzle.
 */
import { type ArcTask, type Grid, type Pair, gridKey } from './grid';
import type { Example } from './dataset';
import { type DihedralId, dihedralGrid, inverseDihedralGrid } from './dihedral';
import { type Offset, encodePair, maxOffset } from './arc-encoding';

export interface Augmentation {
  tid: DihedralId;
  /** colors[c] = the colour that c becomes; colors[0] = 0 and colors[1..9] is a permutation of 1..9. */
  colors: readonly number[];
}

export const IDENTITY_AUGMENTATION: Augmentation = { tid: 0, colors: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };

export const AUG_SEPARATOR = '|||';

/** Retries per wanted version before giving up on a task with few distinct versions (reference: 5). */
export const AUG_RETRIES_FACTOR = 5;

export function isIdentity(aug: Augmentation): boolean {
  return aug.tid === 0 && aug.colors.every((c, i) => c === i);
}

/** Reference draw order: tid ~ U{0..7}, then a uniform permutation of 1..9 (Fisher–Yates). */
export function randomAugmentation(rng: () => number): Augmentation {
  const tid = Math.floor(rng() * 8) as DihedralId;
  const perm = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  for (let i = perm.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return { tid, colors: [0, ...perm] };
}

export function augmentGrid(g: Grid, aug: Augmentation): Grid {
  return dihedralGrid({ h: g.h, w: g.w, cells: g.cells.map((c) => aug.colors[c]) }, aug.tid);
}

/** Exact inverse of augmentGrid: undo the spatial transform, then the colour map (as the reference inverse_aug). */
export function invertAugmentationGrid(g: Grid, aug: Augmentation): Grid {
  const inv = new Uint8Array(10);
  aug.colors.forEach((to, from) => (inv[to] = from));
  const t = inverseDihedralGrid(g, aug.tid);
  return { h: t.h, w: t.w, cells: t.cells.map((c) => inv[c]) };
}

/** The task's version under `aug`; its id becomes the version's name. */
export function augmentTask(task: ArcTask, aug: Augmentation): ArcTask {
  const pair = (p: Pair): Pair =>
    p.output ? { input: augmentGrid(p.input, aug), output: augmentGrid(p.output, aug) } : { input: augmentGrid(p.input, aug) };
  return { id: augmentedName(task.id, aug), train: task.train.map(pair), test: task.test.map(pair) };
}

/** `name|||t{tid}|||{colors}` (TRM's id string); the identity keeps the plain name, like the reference's original. */
export function augmentedName(name: string, aug: Augmentation): string {
  if (name.includes(AUG_SEPARATOR)) throw new Error(`task name ${JSON.stringify(name)} must not contain "${AUG_SEPARATOR}"`);
  return isIdentity(aug) ? name : `${name}${AUG_SEPARATOR}t${aug.tid}${AUG_SEPARATOR}${aug.colors.join('')}`;
}

/** Inverse of augmentedName (the reference's inverse_aug parsing): a plain name is the identity version. */
export function parseAugmentedName(s: string): { name: string; aug: Augmentation } {
  const parts = s.split(AUG_SEPARATOR);
  if (parts.length === 1) return { name: s, aug: IDENTITY_AUGMENTATION };
  const bad = (why: string): never => {
    throw new Error(`puzzle id ${JSON.stringify(s)}: ${why} (expected name${AUG_SEPARATOR}t<0..7>${AUG_SEPARATOR}<10 digits>)`);
  };
  if (parts.length !== 3) bad(`${parts.length - 1} separators`);
  const [name, t, digits] = parts;
  const tid = /^t[0-7]$/.test(t) ? Number(t[1]) : bad(`transform "${t}"`);
  if (!/^0[1-9]{9}$/.test(digits) || new Set(digits).size !== 10) bad(`colour map "${digits}" is not 0 followed by a permutation of 1..9`);
  return { name, aug: { tid: tid as DihedralId, colors: Array.from(digits, Number) } };
}

/**
 * Content key of a whole task: the sorted multiset of its (input, output) pair keys, train and test together,
 * as the reference's puzzle_hash (which sorts sha256 digests; an exact key has no collisions).
 */
export function taskContentKey(task: ArcTask): string {
  return [...task.train, ...task.test]
    .map((p) => `${gridKey(p.input)}|${p.output ? gridKey(p.output) : ''}`)
    .sort()
    .join('\n');
}

export interface PuzzleVersion {
  name: string;
  aug: Augmentation;
  task: ArcTask;
}

/**
 * The group of a task: the original plus up to `k` distinct augmented versions, drawn with `rng`, rejecting any
 * whose content equals an earlier version's, within AUG_RETRIES_FACTOR·k draws. Fewer than k + 1 versions come back
 * when the task has fewer distinct versions (symmetric grids, few colours) or the draws run out.
 */
export function generateVersions(task: ArcTask, k: number, rng: () => number): PuzzleVersion[] {
  const group: PuzzleVersion[] = [{ name: task.id, aug: IDENTITY_AUGMENTATION, task }];
  const seen = new Set([taskContentKey(task)]);
  for (let trial = 0; trial < AUG_RETRIES_FACTOR * k && group.length < k + 1; trial++) {
    const aug = randomAugmentation(rng);
    const version = augmentTask(task, aug);
    const key = taskContentKey(version);
    if (seen.has(key)) continue;
    seen.add(key);
    group.push({ name: version.id, aug, task: version });
  }
  return group;
}

/**
 * Integer puzzle ids (rows of the puzzle-embedding table) for version names, assigned in first-seen order from
 * `start` (default 1; 0 is the shared blank id). Serialises to TRM's identifiers.json layout: a list whose index is
 * the id and whose entries below `start` (and at 0) are "<blank>", so a checkpoint can carry it.
 */
export class PuzzleIdRegistry {
  static readonly BLANK = '<blank>';
  private readonly ids = new Map<string, number>();
  private readonly names: string[];

  constructor(start = 1) {
    if (!Number.isInteger(start) || start < 1) throw new RangeError(`puzzle ids start at an integer >= 1, got ${start}`);
    this.names = new Array<string>(start).fill(PuzzleIdRegistry.BLANK);
  }

  /** The id of a version name, assigning the next one on first sight. */
  idOf(name: string): number {
    const known = this.ids.get(name);
    if (known !== undefined) return known;
    if (name === PuzzleIdRegistry.BLANK) throw new Error(`"${name}" is reserved for id 0`);
    const id = this.names.length;
    this.names.push(name);
    this.ids.set(name, id);
    return id;
  }

  /** The id of (task, augmentation), assigning it on first sight. */
  idFor(taskId: string, aug: Augmentation): number {
    return this.idOf(augmentedName(taskId, aug));
  }

  get(name: string): number | undefined {
    return this.ids.get(name);
  }

  nameOf(id: number): string | undefined {
    return this.names[id];
  }

  /** Size of the embedding table: the blank ids plus every assigned id (DatasetInfo.numPuzzleIds). */
  get count(): number {
    return this.names.length;
  }

  toJSON(): string[] {
    return this.names.slice();
  }

  static fromJSON(value: unknown): PuzzleIdRegistry {
    if (!Array.isArray(value) || value[0] !== PuzzleIdRegistry.BLANK)
      throw new Error('puzzle id registry: expected a list of names starting with "<blank>"');
    let start = 1;
    while (start < value.length && value[start] === PuzzleIdRegistry.BLANK) start++;
    const reg = new PuzzleIdRegistry(start);
    value.slice(start).forEach((name, i) => {
      const id = start + i;
      if (typeof name !== 'string') throw new Error(`puzzle id registry: entry ${id} is not a string`);
      if (reg.get(name) !== undefined) throw new Error(`puzzle id registry: entry ${id} repeats ${JSON.stringify(name)} (id ${reg.get(name)})`);
      reg.idOf(name);
    });
    return reg;
  }
}

/** A uniform offset in [0, max] per axis: every placement that keeps the pair inside the canvas. */
export function randomOffset(max: Offset, rng: () => number): Offset {
  return { row: Math.floor(rng() * (max.row + 1)), col: Math.floor(rng() * (max.col + 1)) };
}

/**
 * Translation offsets for the examples of one puzzle on a side×side canvas (reference order of draws): one example
 * index drawn uniformly stays at (0, 0); every other one, when `translate` is on, gets
 * row ~ U{0 .. side - max(h_in, h_out)} and col ~ U{0 .. side - max(w_in, w_out)}. The test split uses translate = false.
 */
export function translationOffsets(pairs: readonly Pair[], side: number, rng: () => number, translate: boolean, where = (i: number) => `example ${i}`): Offset[] {
  const keep = Math.floor(rng() * pairs.length);
  return pairs.map((p, i) => {
    const max = maxOffset(p.input, p.output, side, where(i));
    if (!translate || i === keep) return { row: 0, col: 0 };
    return randomOffset(max, rng);
  });
}

/** Encode the examples of one puzzle version with their translation offsets and its puzzle id. */
export function encodePuzzleExamples(
  pairs: readonly Pair[],
  side: number,
  puzzleId: number,
  rng: () => number,
  translate: boolean,
  where = (i: number) => `example ${i}`,
): Example[] {
  const offsets = translationOffsets(pairs, side, rng, translate, where);
  return pairs.map((p, i) => encodePair(p, side, { offset: offsets[i], puzzleId, where: where(i) }));
}
