/**
 * TRM Lab's data as a dataset folder of the reference code (TinyRecursiveModels dataset/build_*.py, read by its
 * puzzle_dataset.py), so that its `pretrain.py data_paths=[DIR]` trains on exactly what TRM Lab trains on:
 *
 *   DIR/identifiers.json                  puzzle id → name; id 0 is "<blank>"
 *   DIR/trm-lab-config.json               the TRM Lab config the folder was made from (not read by the reference)
 *   DIR/test_puzzles.json                 ARC only: the held-out tasks, read by the reference's ARC evaluator
 *   DIR/{train,test}/dataset.json         PuzzleDatasetMetadata
 *   DIR/{train,test}/all__inputs.npy      uint8 [examples, seq_len]
 *   DIR/{train,test}/all__labels.npy      uint8 [examples, seq_len]; 0 (= ignore_label_id) is not supervised
 *   DIR/{train,test}/all__puzzle_identifiers.npy   int32 [puzzles]
 *   DIR/{train,test}/all__puzzle_indices.npy       int32 [puzzles + 1]: puzzle p's examples are [i[p], i[p+1])
 *   DIR/{train,test}/all__group_indices.npy        int32 [groups + 1]: group g's puzzles are [i[g], i[g+1])
 *
 * A group is one original puzzle with its augmented versions (the loader draws one member per epoch); a puzzle is
 * one version with its examples. Token ids are TRM Lab's, which are the reference's (src/data: Sudoku digit + 1,
 * the maze charset "# SGo" + 1, the ARC canvas with EOS 1 and colour + 2), with the conversions noted where made.
 * Augmentations that TRM Lab draws on the fly (Sudoku shuffles, maze symmetries, ARC translations) are drawn
 * once here, as the reference's builders precompute them.
 */
import { mulberry32 } from '../nn/init';
import { generateVersions, PuzzleIdRegistry, translationOffsets } from '../data/arc-augment';
import { ARC_CANVAS_SIDE, ARC_VOCAB_SIZE, encodePair, PAD } from '../data/arc-encoding';
import { IGNORE_LABEL, type DatasetInfo, type Example } from '../data/dataset';
import { toRows, type ArcTask, type Pair } from '../data/grid';
import { mazeDatasetInfo, mazeDihedral, mazeExample, type Maze } from '../data/maze';
import { mazeSource } from '../data/maze-source';
import { proceduralTasks, type ArcTaskSplit } from '../data/sources';
import { shuffleSudoku, sudokuDatasetInfo, sudokuExample, type SudokuPuzzle, type SudokuSize } from '../data/sudoku';
import { sudokuSource } from '../data/sudoku-source';
import { DIHEDRAL_IDS } from '../data/dihedral';
import type { TrainConfig } from '../trm/config';
import { encodeNpy } from './npy';

export type SplitName = 'train' | 'test';

/** The reference's PuzzleDatasetMetadata (dataset/common.py), field for field and in its order. */
export interface PuzzleDatasetMetadata {
  pad_id: number;
  ignore_label_id: number | null;
  blank_identifier_id: number;
  vocab_size: number;
  seq_len: number;
  num_puzzle_identifiers: number;
  total_groups: number;
  mean_puzzle_examples: number;
  total_puzzles: number;
  sets: string[];
}

/** The one set name every reference builder writes ("all__inputs.npy" …). */
export const SET_NAME = 'all';

export const TRM_LAB_CONFIG_FILE = 'trm-lab-config.json';

/** Where the folder's files go, by path relative to the folder ("train/all__inputs.npy"). */
export interface DatasetSink {
  /** A uint8 [rows, rowLength] array written one row at a time; `end` gives the final row count. */
  rows(path: string, rowLength: number): RowWriter;
  file(path: string, content: Uint8Array | string): void;
}

export interface RowWriter {
  append(row: Uint8Array): void;
  end(rows: number): void;
}

/** One puzzle (a version of an original) and its examples, all with the puzzle's id. */
interface Puzzle {
  id: number;
  examples: Example[];
}

/**
 * One split, written as it is built: example rows stream to the sink (an ARC set with 1000 augmentations is
 * gigabytes), the index arrays stay in memory (a few bytes per puzzle) until `finish`.
 */
class SplitWriter {
  private readonly inputs: RowWriter;
  private readonly labels: RowWriter;
  private readonly puzzleIds: number[] = [];
  private readonly puzzleIndices: number[] = [0];
  private readonly groupIndices: number[] = [0];
  private examples = 0;

  constructor(
    private readonly sink: DatasetSink,
    private readonly split: SplitName,
    private readonly seqLen: number,
    private readonly vocabSize: number,
  ) {
    this.inputs = sink.rows(`${split}/${SET_NAME}__inputs.npy`, seqLen);
    this.labels = sink.rows(`${split}/${SET_NAME}__labels.npy`, seqLen);
  }

  /**
   * Tokens as the reference stores them: uint8, and labels with 0 where nothing is supervised. TRM Lab marks
   * those with IGNORE_LABEL (−100) in memory; the reference writes PAD 0 and its loader maps ignore_label_id 0 to
   * −100, so the same positions are ignored.
   */
  private row(tokens: Int32Array, what: 'inputs' | 'labels'): Uint8Array {
    if (tokens.length !== this.seqLen) throw new Error(`${this.split} ${what}: ${tokens.length} tokens, expected ${this.seqLen}`);
    const ignored = what === 'labels' ? IGNORE_LABEL : undefined;
    const out = new Uint8Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] === ignored ? PAD : tokens[i];
      if (!(t >= 0 && t < this.vocabSize)) throw new Error(`${this.split} ${what}: token ${tokens[i]} is outside the vocabulary of ${this.vocabSize}`);
      out[i] = t;
    }
    return out;
  }

  /** One group: an original puzzle and its versions, none empty. */
  addGroup(puzzles: readonly Puzzle[]): void {
    if (puzzles.length === 0) throw new Error(`${this.split}: a group without puzzles`);
    for (const p of puzzles) {
      if (p.examples.length === 0) throw new Error(`${this.split}: puzzle ${p.id} has no examples`);
      for (const ex of p.examples) {
        this.inputs.append(this.row(ex.inputs, 'inputs'));
        this.labels.append(this.row(ex.labels, 'labels'));
      }
      this.examples += p.examples.length;
      this.puzzleIds.push(p.id);
      this.puzzleIndices.push(this.examples);
    }
    this.groupIndices.push(this.puzzleIds.length);
  }

  get groups(): number {
    return this.groupIndices.length - 1;
  }

  finish(numPuzzleIds: number): SplitSummary {
    if (this.examples === 0) throw new Error(`${this.split}: no examples`);
    this.inputs.end(this.examples);
    this.labels.end(this.examples);
    const int32 = (values: number[]) => encodeNpy({ dtype: 'int32', shape: [values.length], data: Int32Array.from(values) });
    this.sink.file(`${this.split}/${SET_NAME}__puzzle_identifiers.npy`, int32(this.puzzleIds));
    this.sink.file(`${this.split}/${SET_NAME}__puzzle_indices.npy`, int32(this.puzzleIndices));
    this.sink.file(`${this.split}/${SET_NAME}__group_indices.npy`, int32(this.groupIndices));
    const puzzles = this.puzzleIds.length;
    const metadata: PuzzleDatasetMetadata = {
      pad_id: PAD,
      ignore_label_id: PAD,
      blank_identifier_id: 0,
      vocab_size: this.vocabSize,
      seq_len: this.seqLen,
      num_puzzle_identifiers: numPuzzleIds,
      total_groups: this.groups,
      mean_puzzle_examples: this.examples / puzzles,
      // The true puzzle count, as build_arc_dataset.py writes it (build_sudoku/maze write the group count here);
      // the loader only uses it to weight mean_puzzle_examples across several data_paths.
      total_puzzles: puzzles,
      sets: [SET_NAME],
    };
    this.sink.file(`${this.split}/dataset.json`, JSON.stringify(metadata));
    return { metadata, examples: this.examples };
  }
}

export interface SplitSummary {
  metadata: PuzzleDatasetMetadata;
  examples: number;
}

export interface ExportedDataset {
  train: SplitSummary;
  test: SplitSummary;
  /** How this export differs from the run in TRM Lab, for the user. */
  notes: string[];
}

/** What the caller loaded for a config whose data TRM Lab cannot generate by itself. */
export interface ExportInputs {
  /** ARC tasks for data.kind "arc" (from local files or public URLs). */
  arcTasks?: ArcTaskSplit;
  /** A user's own Sudoku puzzles, solved, in place of generated ones (see holdOutSudokus). */
  sudokus?: { train: SudokuPuzzle[]; test: SudokuPuzzle[] };
  /** Shuffled copies of each training Sudoku besides the original (build_sudoku_dataset.py --num-aug). */
  sudokuAugmentations: number;
}

// Separate streams, so that drawing the exported augmentations never changes which puzzles or versions are made.
const SUDOKU_SHUFFLE_SEED = 0x5d0c0a06;
const ARC_TRANSLATION_SEED = 0x7a4e51a7;

/** Calls `progress` once per group written, with the running count. */
function counter(total: number, progress: ExportProgress): () => void {
  let done = 0;
  return () => progress(++done, total);
}

/** A user's Sudokus split as ARC task sets without a split are: a seeded 20% (at least one) held out for test. */
export function holdOutSudokus(puzzles: readonly SudokuPuzzle[], seed: number): { train: SudokuPuzzle[]; test: SudokuPuzzle[] } {
  if (puzzles.length < 2) throw new RangeError('a train/test split needs at least 2 puzzles');
  const rand = mulberry32(seed);
  const order = puzzles.map((p) => ({ p, k: rand() })).sort((a, b) => a.k - b.k);
  const nTest = Math.max(1, Math.round(puzzles.length * 0.2));
  return { test: order.slice(0, nTest).map((x) => x.p), train: order.slice(nTest).map((x) => x.p) };
}

/** Groups written so far, of all groups in both splits (a large export takes minutes). */
export type ExportProgress = (done: number, total: number) => void;

/** Writes the reference dataset folder for `cfg`'s data into `sink`. */
export function writeReferenceDataset(cfg: TrainConfig, inputs: ExportInputs, sink: DatasetSink, progress: ExportProgress = () => {}): ExportedDataset {
  // What made the folder, in TRM Lab's terms: a checkpoint trained on it comes back with its data config.
  sink.file(TRM_LAB_CONFIG_FILE, JSON.stringify(cfg, null, 2));
  const d = cfg.data;
  switch (d.kind) {
    case 'sudoku': {
      const { train, test } = inputs.sudokus ?? sudokuSource({ ...d, seed: cfg.seed });
      return writeSudoku(train, test, d.size, inputs.sudokuAugmentations, cfg.seed, sink, progress);
    }
    case 'maze': {
      const { train, test } = mazeSource({ ...d, seed: cfg.seed });
      return writeMaze(train, test, d.size, d.augment, sink, progress);
    }
    case 'arc-procedural': {
      // The tasks and split createSource (src/data/sources.ts) makes for this config, so the ids match the run's.
      return writeArc(proceduralTasks(d, cfg.seed), d, cfg.seed, sink, progress);
    }
    case 'arc':
      if (!inputs.arcTasks) throw new Error(`data source "${d.source}" needs its ARC tasks loaded first`);
      return writeArc(inputs.arcTasks, d, cfg.seed, sink, progress);
  }
}

/**
 * Each puzzle its own group under puzzle id 0, as build_sudoku_dataset.py and build_maze_dataset.py write them:
 * a training puzzle with its augmented versions, a test puzzle as it is.
 */
function writeOneIdGroups<T>(train: readonly T[], test: readonly T[], info: DatasetInfo, versions: (t: T) => T[], example: (t: T) => Example, sink: DatasetSink, progress: ExportProgress): Omit<ExportedDataset, 'notes'> {
  const tick = counter(train.length + test.length, progress);
  const trainOut = new SplitWriter(sink, 'train', info.seqLen, info.vocabSize);
  for (const t of train) {
    trainOut.addGroup(versions(t).map((v) => ({ id: 0, examples: [example(v)] })));
    tick();
  }
  const testOut = new SplitWriter(sink, 'test', info.seqLen, info.vocabSize);
  for (const t of test) {
    testOut.addGroup([{ id: 0, examples: [example(t)] }]);
    tick();
  }
  sink.file('identifiers.json', JSON.stringify([PuzzleIdRegistry.BLANK]));
  return { train: trainOut.finish(1), test: testOut.finish(1) };
}

/** Sudoku: training groups add shuffled copies (the reference's --num-aug). */
function writeSudoku(train: readonly SudokuPuzzle[], test: readonly SudokuPuzzle[], size: SudokuSize, augmentations: number, seed: number, sink: DatasetSink, progress: ExportProgress): ExportedDataset {
  const rand = mulberry32(seed ^ SUDOKU_SHUFFLE_SEED);
  const versions = (p: SudokuPuzzle) => [p, ...Array.from({ length: augmentations }, () => shuffleSudoku(p, rand))];
  const out = writeOneIdGroups(train, test, sudokuDatasetInfo(size), versions, sudokuExample, sink, progress);
  return { ...out, notes: [`${train.length} training Sudokus with ${augmentations} shuffled copies each (the reference's --num-aug; TRM Lab shuffles on the fly)`] };
}

/** Mazes: with augmentation, each training maze with its 8 symmetries (the reference's --aug). */
function writeMaze(train: readonly Maze[], test: readonly Maze[], size: number, augment: boolean, sink: DatasetSink, progress: ExportProgress): ExportedDataset {
  const versions = (m: Maze) => (augment ? DIHEDRAL_IDS : [0]).map((t) => mazeDihedral(m, t));
  const out = writeOneIdGroups(train, test, mazeDatasetInfo(size), versions, mazeExample, sink, progress);
  return { ...out, notes: augment ? ['each training maze with its 8 dihedral versions (the reference\'s --aug; TRM Lab draws one on the fly)'] : [] };
}

type ArcData = Extract<TrainConfig['data'], { kind: 'arc' | 'arc-procedural' }>;

/** A task as the reference's JSON has it, for test_puzzles.json. */
function taskJson(task: ArcTask): object {
  // A test output nobody has: build_arc_dataset.py fills in [[0]] so that its evaluator can read every pair.
  const pair = (p: Pair) => ({ input: toRows(p.input), output: p.output ? toRows(p.output) : [[0]] });
  return { train: task.train.map(pair), test: task.test.map(pair) };
}

/**
 * build_arc_dataset.py's layout: every task is a group of its versions (the original and its augmentations, in
 * the order and with the ids arcSource gives them for the same seed, so a checkpoint's puzzle-embedding rows
 * match); the training split holds every pair of the training tasks and the demonstration pairs of the evaluation
 * tasks, the test split the evaluation tasks' test pairs in every version, never translated.
 */
function writeArc(split: ArcTaskSplit, d: ArcData, seed: number, sink: DatasetSink, progress: ExportProgress): ExportedDataset {
  // Always the reference's 30×30 canvas: its ARC evaluator crops predictions from a 30×30 grid.
  const side = ARC_CANVAS_SIDE;
  const seqLen = side * side;
  const versionRand = mulberry32(seed); // arcSource's stream: the same versions in the same order
  const offsetRand = mulberry32(seed ^ ARC_TRANSLATION_SEED);
  const registry = new PuzzleIdRegistry();
  const trainOut = new SplitWriter(sink, 'train', seqLen, ARC_VOCAB_SIZE);
  const testOut = new SplitWriter(sink, 'test', seqLen, ARC_VOCAB_SIZE);
  const testPuzzles: Record<string, object> = {};
  const tick = counter(split.train.length + 2 * split.eval.length, progress);
  const add = (task: ArcTask, isEval: boolean) => {
    const trainGroup: Puzzle[] = [];
    const testGroup: Puzzle[] = [];
    for (const version of generateVersions(task, d.augmentations, versionRand)) {
      const id = registry.idOf(version.name);
      const t = version.task;
      const pairs = isEval ? t.train : [...t.train, ...t.test.filter((p) => p.output)];
      const where = (i: number) => `task ${version.name}, example ${i}`;
      const offsets = translationOffsets(pairs, side, offsetRand, d.translate, where);
      trainGroup.push({ id, examples: pairs.map((p, i) => encodePair(p, side, { offset: offsets[i], puzzleId: id, where: where(i) })) });
      if (isEval) testGroup.push({ id, examples: t.test.map((p) => encodePair(p, side, { puzzleId: id })) });
    }
    trainOut.addGroup(trainGroup);
    tick();
    if (isEval) {
      testOut.addGroup(testGroup);
      tick();
      testPuzzles[task.id] = taskJson(task);
    }
  };
  split.train.forEach((t) => add(t, false));
  split.eval.forEach((t) => add(t, true));
  sink.file('identifiers.json', JSON.stringify(registry.toJSON()));
  sink.file('test_puzzles.json', JSON.stringify(testPuzzles));
  const notes = [
    `${split.train.length + split.eval.length} tasks with up to ${d.augmentations} augmented versions each: ${registry.count - 1} puzzle ids`,
    ...(d.canvas !== side ? [`ARC grids on the reference's ${side}×${side} canvas (this config trains on ${d.canvas}×${d.canvas}), which its ARC evaluator needs`] : []),
    ...(d.translate ? ['training examples translated once each, all but one per puzzle (TRM Lab translates on the fly)'] : []),
  ];
  return { train: trainOut.finish(registry.count), test: testOut.finish(registry.count), notes };
}

/** A sink that keeps every file in memory (tests; the page's download). */
export class MemorySink implements DatasetSink {
  readonly files = new Map<string, Uint8Array | string>();

  rows(path: string, rowLength: number): RowWriter {
    const chunks: Uint8Array[] = [];
    return {
      append: (row) => {
        if (row.length !== rowLength) throw new Error(`${path}: a row of ${row.length}, expected ${rowLength}`);
        chunks.push(row);
      },
      end: (rows) => {
        if (rows !== chunks.length) throw new Error(`${path}: ${chunks.length} rows written, ${rows} announced`);
        const data = new Uint8Array(rows * rowLength);
        chunks.forEach((c, i) => data.set(c, i * rowLength));
        this.files.set(path, encodeNpy({ dtype: 'uint8', shape: [rows, rowLength], data }));
      },
    };
  }

  file(path: string, content: Uint8Array | string): void {
    this.files.set(path, content);
  }
}
