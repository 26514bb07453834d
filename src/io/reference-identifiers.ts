/**
 * A reference ARC dataset's identifiers.json (build_arc_dataset.py): a list whose index is a puzzle id, i.e. a row
 * of the checkpoint's puzzle embedding, and whose entry names the task version trained under that row (`task`, or
 * `task|||t<k>|||<colour map>`; "<blank>" for id 0 and any ids below puzzle_identifiers_start). Read as untrusted
 * input into the PuzzleIdRegistry TRM Lab's ARC evaluation uses, it gives the examples the reference's evaluator
 * (evaluators/arc.py) runs: every test input of a task under each version the file names, with that version's row.
 */
import { type Augmentation, augmentGrid, IDENTITY_AUGMENTATION, parseAugmentedName, PuzzleIdRegistry } from '../data/arc-augment';
import { ARC_VOCAB_SIZE, encodePair } from '../data/arc-encoding';
import type { ArcEvalItem } from '../data/arc-source';
import type { DatasetInfo, Example } from '../data/dataset';
import type { ArcTask, Pair } from '../data/grid';
import { BLANK_ROW } from './lazy-puzzle-table';
import { bound, InputError, quote } from './user-error';

/** The files build_arc_dataset.py writes beside train/ and test/: row names, and the tasks its evaluator scores. */
export const IDENTIFIERS_FILE = 'identifiers.json';
export const TEST_PUZZLES_FILE = 'test_puzzles.json';

const BLANK = PuzzleIdRegistry.BLANK;

/** Read identifiers.json; throws InputError naming the file and the first bad entry. */
export function parseIdentifiers(text: string, fileName: string): PuzzleIdRegistry {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw new InputError(`${fileName}: invalid JSON (${e instanceof RangeError ? 'nested too deeply' : bound((e as Error).message, 120)})`);
  }
  const what = 'the list of puzzle names build_arc_dataset.py writes';
  if (!Array.isArray(value)) throw new InputError(`${fileName}: holds ${quote(value)}, not ${what}`);
  if (value.length === 0) throw new InputError(`${fileName}: an empty list, not ${what} (entry 0 is "${BLANK}")`);
  if (value[0] !== BLANK) throw new InputError(`${fileName}: entry 0 is ${quote(value[0])}, not "${BLANK}" (puzzle id 0 is the blank embedding)`);
  const seen = new Map<string, number>();
  value.forEach((name: unknown, id) => {
    const at = `${fileName}: entry ${id}`;
    if (typeof name !== 'string') throw new InputError(`${at} is ${quote(name)}, not a puzzle name`);
    if (name === BLANK) {
      if (seen.size) throw new InputError(`${at} is "${BLANK}" after named entries (only the ids before the first name are blank)`);
      return;
    }
    try {
      parseAugmentedName(name);
    } catch (e) {
      throw new InputError(`${at}: ${(e as Error).message}`);
    }
    const first = seen.get(name);
    if (first !== undefined) throw new InputError(`${at} repeats ${quote(name)} (entry ${first}): each row names one version`);
    seen.set(name, id);
  });
  return PuzzleIdRegistry.fromJSON(value);
}

/** The identifiers must name exactly the checkpoint's puzzle-embedding rows, or every row would be misread. */
export function checkIdentifierRows(ids: PuzzleIdRegistry, rows: number, fileName: string): void {
  if (ids.count !== rows)
    throw new InputError(`${fileName}: names ${ids.count} puzzle ids, but the checkpoint's puzzle embedding has ${rows} rows; use the identifiers.json of the dataset it was trained on`);
}

/** One version of a task: its name in identifiers.json, the augmentation the name encodes and its row. */
export interface TaskVersion {
  name: string;
  aug: Augmentation;
  row: number;
}

/** The versions identifiers.json names for each original task, in row order. */
export function versionsByTask(ids: PuzzleIdRegistry): Map<string, TaskVersion[]> {
  const byTask = new Map<string, TaskVersion[]>();
  for (let row = 0; row < ids.count; row++) {
    const name = ids.nameOf(row)!;
    if (name === BLANK) continue;
    const { name: task, aug } = parseAugmentedName(name);
    (byTask.get(task) ?? byTask.set(task, []).get(task)!).push({ name, aug, row });
  }
  return byTask;
}

/** The versions a task runs under: those named, else the task itself on the blank row. */
export function versionsOf(task: string, byTask: ReadonlyMap<string, TaskVersion[]>): TaskVersion[] {
  return byTask.get(task) ?? [{ name: task, aug: IDENTITY_AUGMENTATION, row: BLANK_ROW }];
}

/**
 * Every test pair of `task` under each of `versions` (input and output augmented, never translated), with the
 * version's row as puzzle id, and what each example is, for voting: the CLI's and the page's examples alike.
 */
export function versionExamples(task: ArcTask, versions: readonly TaskVersion[], canvas: number): { examples: Example[]; evalItems: ArcEvalItem[] } {
  const examples: Example[] = [];
  const evalItems: ArcEvalItem[] = [];
  for (const v of versions) {
    task.test.forEach((p, testIndex) => {
      const pair: Pair = { input: augmentGrid(p.input, v.aug), ...(p.output && { output: augmentGrid(p.output, v.aug) }) };
      examples.push(encodePair(pair, canvas, { puzzleId: v.row, where: `task ${v.name}, test pair ${testIndex}` }));
      evalItems.push({ taskId: task.id, testIndex, versionName: v.name });
    });
  }
  return { examples, evalItems };
}

export interface IdentifiersEvalSet {
  info: DatasetInfo;
  examples: Example[];
  /** What each example is, for voting. */
  evalItems: ArcEvalItem[];
  evalTasks: readonly ArcTask[];
  /** Tasks identifiers.json names no row for: they ran once, unaugmented, on the blank row. */
  unknownTasks: string[];
}

/**
 * The reference's ARC test split for `tasks`: each test pair under every version of its task (input and output
 * augmented, never translated) with the version's row as puzzle id, to be voted on as evaluateSource does.
 * `info.numPuzzleIds` is the registry's size, which checkIdentifierRows matches to the checkpoint.
 */
export function identifiersEvalSet(tasks: readonly ArcTask[], ids: PuzzleIdRegistry, o: { name: string; canvas: number }): IdentifiersEvalSet {
  const byTask = versionsByTask(ids);
  const examples: Example[] = [];
  const evalItems: ArcEvalItem[] = [];
  for (const task of tasks) {
    const set = versionExamples(task, versionsOf(task.id, byTask), o.canvas);
    examples.push(...set.examples);
    evalItems.push(...set.evalItems);
  }
  return {
    info: { name: o.name, seqLen: o.canvas * o.canvas, vocabSize: ARC_VOCAB_SIZE, numPuzzleIds: ids.count },
    examples,
    evalItems,
    evalTasks: tasks,
    unknownTasks: tasks.filter((t) => !byTask.has(t.id)).map((t) => t.id),
  };
}
