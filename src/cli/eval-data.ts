/**
 * What `npm run eval -- --data SPEC` scores a checkpoint on, checked against the checkpoint before a weight is
 * loaded: the puzzles must be of the model's shape and each must have exactly one answer to score against
 * (Sudoku: the line's solution or the puzzle's unique one; mazes: the drawn path or the only shortest one; ARC:
 * every held-out test output). Anything else is an InputError naming the file and the problem. With a reference
 * dataset's identifiers.json, ARC tasks run on the checkpoint's own rows for their augmented versions.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { maxOffset } from '../data/arc-encoding';
import { taskLabel } from '../data/arc-json';
import { arcSource } from '../data/arc-source';
import type { DatasetInfo, Example } from '../data/dataset';
import type { ArcTask } from '../data/grid';
import { mazeDatasetInfo, mazeExample, mazeTarget, parseMazeText } from '../data/maze';
import type { DataSource } from '../data/source';
import { createSource } from '../data/sources';
import { sudokuDatasetInfo, sudokuExample } from '../data/sudoku';
import { parseSudokuText, sudokuAnswer } from '../data/sudoku-text';
import { checkIdentifierRows, identifiersEvalSet, parseIdentifiers, TEST_PUZZLES_FILE, type IdentifiersEvalSet } from '../io/reference-identifiers';
import { InputError } from '../io/user-error';
import type { TrainConfig } from '../trm/config';
import { loadArcTasksFromDisk, readTextFile } from './node-env';

function evalOnly(info: DatasetInfo, examples: Example[]): DataSource {
  return {
    info,
    trainBatch: () => {
      throw new Error('an eval data source has no training batches');
    },
    evalExamples: () => examples,
  };
}

/** The checkpoint's data as words, for messages: "4×4 Sudoku", "10×10 mazes", "ARC tasks on a 30×30 canvas". */
function modelReads(data: TrainConfig['data']): string {
  if (data.kind === 'sudoku') return `${data.size}×${data.size} Sudoku`;
  if (data.kind === 'maze') return `${data.size}×${data.size} mazes`;
  return `ARC tasks on a ${data.canvas}×${data.canvas} canvas`;
}

/**
 * The source `spec` names ("test": the split the checkpoint's config generates, or with `identifiers` the
 * test_puzzles.json beside it), ready for evaluateSource.
 */
export function loadEvalData(spec: string, cfg: TrainConfig, expected: DatasetInfo, identifiers?: string): DataSource {
  const data = cfg.data;
  const source = identifiers !== undefined ? identifiersSource(identifiers, spec, cfg, expected) : spec === 'test' ? generatedSource(cfg) : fileSource(spec, cfg);
  const info = source.info;
  if (info.seqLen !== expected.seqLen || info.vocabSize !== expected.vocabSize) {
    throw new InputError(`--data ${spec}: sequences of ${info.seqLen} tokens over ${info.vocabSize} symbols, but the checkpoint (${modelReads(data)}) expects ${expected.seqLen} over ${expected.vocabSize}`);
  }
  // Each ARC task version has its own learned embedding row: another task set would read rows meant for others.
  if (cfg.model.puzzleEmbDim > 0 && info.numPuzzleIds !== expected.numPuzzleIds) {
    const fix =
      spec === 'test' ? 'the --data.FIELD flags changed which tasks are generated; keep the task fields the checkpoint has'
      : data.kind === 'arc-procedural' ? 'it trained on generated tasks: evaluate them with --data test'
      : "pass the tasks it trained on (the same files and seed), or its dataset's identifiers.json with --identifiers";
    throw new InputError(`--data ${spec}: these tasks make ${info.numPuzzleIds} puzzle ids, but the checkpoint learned embeddings for ${expected.numPuzzleIds}; ${fix}`);
  }
  return source;
}

function generatedSource(cfg: TrainConfig): DataSource {
  if (cfg.data.kind === 'arc') throw new InputError('--data: this checkpoint trained on ARC files; pass them with --data DIR');
  return createSource(cfg.data, cfg.seed);
}

/** Every grid of `tasks` fits the canvas: checked here, with the file, rather than by the encoder, which knows only the task. */
function checkCanvas(tasks: readonly ArcTask[], fileOf: ReadonlyMap<string, string>, canvas: number): void {
  for (const task of tasks) {
    const at = `${fileOf.get(task.id)}: task ${taskLabel(task.id)}`;
    task.train.forEach((p, i) => maxOffset(p.input, p.output, canvas, `${at}, train pair ${i}`));
    task.test.forEach((p, i) => maxOffset(p.input, p.output, canvas, `${at}, test pair ${i}`));
  }
}

/**
 * Every task at `spec` (the evaluation/ tasks of an ARC-AGI folder) run under the versions identifiers.json names,
 * each on its row of the checkpoint's puzzle embedding; one note names the tasks that have none.
 */
function identifiersSource(path: string, spec: string, cfg: TrainConfig, expected: DatasetInfo): DataSource & Pick<IdentifiersEvalSet, 'evalItems' | 'evalTasks'> {
  const data = cfg.data;
  if (data.kind !== 'arc' && data.kind !== 'arc-procedural') throw new InputError(`--identifiers: names ARC puzzle-embedding rows, but this checkpoint reads ${modelReads(data)}`);
  if (cfg.model.puzzleEmbDim === 0) throw new InputError('--identifiers: this checkpoint has no puzzle embedding, so there are no rows to name; evaluate without it');
  const ids = parseIdentifiers(readTextFile(path), path);
  checkIdentifierRows(ids, expected.numPuzzleIds, path);
  const tasksPath = spec === 'test' ? join(dirname(path), TEST_PUZZLES_FILE) : spec;
  if (spec === 'test' && !existsSync(tasksPath)) throw new InputError(`--data: no ${TEST_PUZZLES_FILE} beside ${path}; pass the tasks to score with --data FILE|DIR`);
  const split = loadArcTasksFromDisk(tasksPath, cfg.seed, 'every', 1);
  checkCanvas(split.eval, split.fileOf, data.canvas);
  const { info, examples, evalItems, evalTasks, unknownTasks } = identifiersEvalSet(split.eval, ids, { name: tasksPath, canvas: data.canvas });
  if (unknownTasks.length) {
    const named = unknownTasks.slice(0, 3).map(taskLabel).join(', ') + (unknownTasks.length > 3 ? `, … ${unknownTasks.length - 3} more` : '');
    console.error(`[trm] note: ${unknownTasks.length} of ${evalTasks.length} tasks have no row in ${path} (${named}): their embedding is unknown to the checkpoint, so each runs once, unaugmented, on the blank row 0`);
  }
  return { ...evalOnly(info, examples), evalItems, evalTasks };
}

function fileSource(spec: string, cfg: TrainConfig): DataSource {
  const data = cfg.data;
  if (data.kind === 'arc' || data.kind === 'arc-procedural') {
    const split = loadArcTasksFromDisk(spec, cfg.seed, 'every');
    checkCanvas([...split.train, ...split.eval], split.fileOf, data.canvas);
    return arcSource(split.train, split.eval, { name: spec, canvas: data.canvas, augmentations: data.augmentations, translate: false, seed: cfg.seed });
  }
  if (/\.json$/i.test(spec)) throw new InputError(`--data ${spec}: ARC task JSON, but this checkpoint reads ${modelReads(data)} (a text file)`);
  const text = readTextFile(spec);
  if (data.kind === 'sudoku') {
    const entries = parseSudokuText(text, { size: data.size, name: spec, sizeOf: 'the checkpoint' });
    const examples = entries.map((en) => sudokuExample({ puzzle: en.puzzle, solution: sudokuAnswer(en, spec) }));
    return evalOnly(sudokuDatasetInfo(data.size), examples);
  }
  const grid = parseMazeText(text, spec);
  if (grid.h !== data.size || grid.w !== data.size) {
    throw new InputError(`${spec}: a ${grid.h}×${grid.w} maze, but the checkpoint reads ${data.size}×${data.size} mazes`);
  }
  const { input, solution } = mazeTarget(grid, spec);
  if (!solution) throw new InputError(`${spec}: the goal cannot be reached from the start, so there is no path to score against`);
  if (!solution.unique) throw new InputError(`${spec}: the maze has more than one shortest path, so there is no single answer to score; draw the intended one with 'o' cells`);
  return evalOnly(mazeDatasetInfo(data.size), [mazeExample({ input, ...solution })]);
}
