import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArcTasksFromDisk } from '../../src/cli/node-env';
import { augmentGrid, parseAugmentedName } from '../../src/data/arc-augment';
import { encodeGrid } from '../../src/data/arc-encoding';
import { parseArcFiles } from '../../src/data/arc-json';
import { type Grid, fromRows } from '../../src/data/grid';
import type { DataSource } from '../../src/data/source';
import { parseNpy } from '../../src/io/npy';
import { MemorySink, writeReferenceDataset } from '../../src/io/reference-dataset';
import { checkIdentifierRows, identifiersEvalSet, parseIdentifiers, versionsByTask } from '../../src/io/reference-identifiers';
import type { TrainConfig } from '../../src/trm/config';
import { evaluateSource } from '../../src/trm/evaluate';
import { getPreset } from '../../src/trm/presets';
import type { Trainer } from '../../src/trm/trainer';
import { ARC_FIXTURES } from '../helpers/datasets';
import { refusal } from '../helpers/user-message';

const FILE = 'data/arc-aug-3/identifiers.json';
const parse = (value: unknown) => parseIdentifiers(JSON.stringify(value), FILE);

/** swap(a, b) of colours, the rest fixed. */
const swap = (g: Grid, a: number, b: number): Grid => ({ ...g, cells: g.cells.map((c) => (c === a ? b : c === b ? a : c)) });

// Three tasks, rows interleaved as build_arc_dataset.py's first-seen order can leave them; "other" is not evaluated.
const IDS = [
  '<blank>',
  't1',
  't3',
  't1|||t1|||0123456789', // rot90, colours kept
  't1|||t0|||0345126789', // colours 1→3, 2→4, 3→5, 4→1, 5→2
  't3|||t2|||0213456789', // rot180, colours 1↔2
  't1|||t5|||0345126789', // flip up-down, the same colours
  'other',
];
const x1 = fromRows([[1, 2], [3, 0]]);
const x2 = fromRows([[2, 2, 1]]);
const x3a = fromRows([[1], [3]]);
const x3b = fromRows([[3, 1]]);
const TASKS = [
  { id: 't1', train: [], test: [{ input: x1, output: swap(x1, 1, 2) }] },
  { id: 't2', train: [], test: [{ input: x2, output: swap(x2, 1, 2) }] },
  { id: 't3', train: [], test: [{ input: x3a, output: swap(x3a, 1, 2) }, { input: x3b, output: x3b }] },
];

describe('identifiers.json', () => {
  it('names each puzzle-embedding row; versions grouped by task in row order', () => {
    const ids = parse(IDS);
    expect(ids.count).toBe(8);
    const byTask = versionsByTask(ids);
    expect([...byTask.keys()]).toEqual(['t1', 't3', 'other']);
    expect(byTask.get('t1')!.map((v) => [v.row, v.aug.tid, v.aug.colors.join('')])).toEqual([
      [1, 0, '0123456789'], [3, 1, '0123456789'], [4, 0, '0345126789'], [6, 5, '0345126789'],
    ]);
    expect(byTask.get('t3')!.map((v) => v.row)).toEqual([2, 5]);
    // Leading blanks (puzzle_identifiers_start > 1) are ids no version has.
    expect(versionsByTask(parse(['<blank>', '<blank>', 'a'])).get('a')![0].row).toBe(2);
  });

  it('bad files: one line naming the file and the entry', () => {
    expect(refusal(() => parseIdentifiers('["<blank>", "a"', FILE))).toMatch(/^data\/arc-aug-3\/identifiers\.json: invalid JSON \(/);
    expect(refusal(() => parse({ a: 1 }))).toBe(`${FILE}: holds an object, not the list of puzzle names build_arc_dataset.py writes`);
    expect(refusal(() => parse([]))).toBe(`${FILE}: an empty list, not the list of puzzle names build_arc_dataset.py writes (entry 0 is "<blank>")`);
    expect(refusal(() => parse(['t1', 't2']))).toBe(`${FILE}: entry 0 is "t1", not "<blank>" (puzzle id 0 is the blank embedding)`);
    expect(refusal(() => parse(['<blank>', 't1', 7]))).toBe(`${FILE}: entry 2 is 7, not a puzzle name`);
    expect(refusal(() => parse(['<blank>', 't1', '<blank>']))).toBe(`${FILE}: entry 2 is "<blank>" after named entries (only the ids before the first name are blank)`);
    expect(refusal(() => parse(['<blank>', 't1', 't2', 't1']))).toBe(`${FILE}: entry 3 repeats "t1" (entry 1): each row names one version`);
    expect(refusal(() => parse(['<blank>', 't1|||t9|||0123456789']))).toBe(`${FILE}: entry 1: puzzle id "t1|||t9|||0123456789": transform "t9" (expected name|||t<0..7>|||<10 digits>)`);
    expect(refusal(() => parse(['<blank>', 't1|||t1|||0113456789']))).toMatch(/^data\/arc-aug-3\/identifiers\.json: entry 1: .*colour map "0113456789" is not 0 followed by a permutation of 1\.\.9/);
    expect(refusal(() => parse(['<blank>', 't1|||t1']))).toMatch(/entry 1: puzzle id "t1\|\|\|t1": 1 separators/);
    expect(refusal(() => checkIdentifierRows(parse(IDS), 9, FILE))).toBe(
      `${FILE}: names 8 puzzle ids, but the checkpoint's puzzle embedding has 9 rows; use the identifiers.json of the dataset it was trained on`,
    );
    expect(() => checkIdentifierRows(parse(IDS), 8, FILE)).not.toThrow();
  });
});

describe('evaluating on the rows identifiers.json names', () => {
  const set = identifiersEvalSet(TASKS, parse(IDS), { name: 'test_puzzles.json', canvas: 6 });

  it("each test input under every version of its task, on that version's row; a task without rows once, on row 0", () => {
    expect(set.info).toEqual({ name: 'test_puzzles.json', seqLen: 36, vocabSize: 12, numPuzzleIds: 8 });
    expect(set.unknownTasks).toEqual(['t2']);
    expect(set.evalItems.map((it) => [it.versionName, it.testIndex])).toEqual([
      ['t1', 0], ['t1|||t1|||0123456789', 0], ['t1|||t0|||0345126789', 0], ['t1|||t5|||0345126789', 0],
      ['t2', 0],
      ['t3', 0], ['t3', 1], ['t3|||t2|||0213456789', 0], ['t3|||t2|||0213456789', 1],
    ]);
    expect(set.examples.map((e) => e.puzzleId)).toEqual([1, 3, 4, 6, 0, 2, 2, 5, 5]);
    set.examples.forEach((ex, i) => {
      const item = set.evalItems[i];
      const pair = TASKS.find((t) => t.id === item.taskId)!.test[item.testIndex];
      const { aug } = parseAugmentedName(item.versionName);
      expect(Array.from(ex.inputs), item.versionName).toEqual(Array.from(encodeGrid(augmentGrid(pair.input, aug), 6)));
    });
    // rot90 of [[1, 2], [3, 0]] is [[2, 0], [1, 3]]; with colours 1→3, 2→4, 3→5 and no turn, [[3, 4], [5, 0]].
    expect(Array.from(set.examples[1].inputs.subarray(0, 2))).toEqual([4, 2]);
    expect(Array.from(set.examples[2].inputs.subarray(0, 2))).toEqual([5, 6]);
  });

  it('votes and pass@K as evaluators/arc.py: inverse augmentation, count, then mean σ(q_halt)', async () => {
    // A model that swaps colours 1 and 2 in its own frame, and whose confidence is a function of the row: in the
    // original frame a version with colour map π predicts π⁻¹∘swap(1,2)∘π of the input.
    const confidenceOfRow = [0.5, 0.2, 0.6, 0.3, 0.9, 0.6, 0.8, 0];
    const stub = {
      evaluate: async (examples: typeof set.examples) => {
        const predictions = new Int32Array(examples.length * 36);
        examples.forEach((ex, i) => predictions.set(ex.inputs.map((t) => (t === 3 ? 4 : t === 4 ? 3 : t)), i * 36));
        const confidence = Float64Array.from(examples, (ex) => confidenceOfRow[ex.puzzleId]);
        return { examples: examples.length, exactAccuracy: 0, tokenAccuracy: 0, exactByStep: [0], meanHaltStep: 1, predictions, confidence };
      },
    } as unknown as Trainer;
    const source = { info: set.info, trainBatch: () => ({}) as never, evalExamples: () => set.examples, evalItems: set.evalItems, evalTasks: TASKS } as DataSource;
    const r = await evaluateSource(stub, source);
    // t1: rows 1 and 3 keep colours 1 and 2, so they predict the answer (mean 0.25); rows 4 and 6 swap colours 4 and
    // 5 in the original frame, which x1 lacks, so they predict x1 (mean 0.85): a 2–2 tie that x1 wins: pass@1 0,
    // pass@2 1. On the blank row for all, the tie would keep first-seen order and pass@1 would be 1.
    // t2: no rows, once unaugmented on row 0: solved. t3: rows 2 and 5 both map the swap to itself: test 0 solved,
    // test 1 (whose answer is its input) not: 0.5.
    expect(r.tasks).toBe(3);
    expect(r.passAtK![1]).toBeCloseTo((0 + 1 + 0.5) / 3, 12);
    expect(r.passAtK![2]).toBeCloseTo((1 + 1 + 0.5) / 3, 12);
  });
});

describe("export-data's identifiers.json and test_puzzles.json", () => {
  it('read back: the evaluation set is the test split the export wrote, example for example, row for row', () => {
    const split = loadArcTasksFromDisk(join(ARC_FIXTURES, 'arc-agi-1'), 0);
    const cfg: TrainConfig = { ...getPreset('mini-arc'), data: { kind: 'arc', source: 'arc-agi-1', canvas: 30, augmentations: 3, translate: true } };
    const sink = new MemorySink();
    writeReferenceDataset(cfg, { arcTasks: split, sudokuAugmentations: 0 }, sink);
    const ids = parseIdentifiers(sink.files.get('identifiers.json') as string, 'identifiers.json');
    const tasks = parseArcFiles([{ name: 'test_puzzles.json', text: sink.files.get('test_puzzles.json') as string }]);
    expect(tasks.map((t) => t.id)).toEqual(split.eval.map((t) => t.id));
    const set = identifiersEvalSet(tasks, ids, { name: 'test_puzzles.json', canvas: 30 });
    expect(set.unknownTasks).toEqual([]);
    const npy = (k: string) => parseNpy(sink.files.get(`test/all__${k}.npy`) as Uint8Array, k).data;
    const inputs = npy('inputs'), labels = npy('labels'), pid = npy('puzzle_identifiers'), pidx = npy('puzzle_indices');
    expect(set.examples.length).toBe(inputs.length / 900);
    const rowOfExample = Array.from({ length: pid.length }, (_, p) => Array(Number(pidx[p + 1]) - Number(pidx[p])).fill(Number(pid[p]))).flat();
    expect(set.examples.map((e) => e.puzzleId)).toEqual(rowOfExample);
    set.examples.forEach((ex, i) => {
      expect(Array.from(ex.inputs)).toEqual(Array.from(inputs.subarray(i * 900, (i + 1) * 900), Number));
      // The export writes PAD 0 where TRM Lab ignores a label.
      expect(Array.from(ex.labels, (t) => Math.max(t, 0))).toEqual(Array.from(labels.subarray(i * 900, (i + 1) * 900), Number));
    });
  });
});
