import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArcTasksFromDisk } from '../../src/cli/node-env';
import { arcSource } from '../../src/data/arc-source';
import { fromRows } from '../../src/data/grid';
import { mazeToText } from '../../src/data/maze';
import { mazeSource } from '../../src/data/maze-source';
import { createSource } from '../../src/data/sources';
import { sudokuSource } from '../../src/data/sudoku-source';
import { parseSudokuText } from '../../src/data/sudoku-text';
import { encodeNpy, parseNpy } from '../../src/io/npy';
import { MemorySink, writeReferenceDataset, type ExportInputs } from '../../src/io/reference-dataset';
import type { TrainConfig } from '../../src/trm/config';
import { getPreset } from '../../src/trm/presets';
import { ARC_FIXTURES } from '../helpers/datasets';
import { runPython } from '../helpers/python';

const tmp = mkdtempSync(join(tmpdir(), 'reference-dataset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const python = (script: string, ...args: string[]): string => runPython(['-c', script, ...args]).trim();

/** The folder a sink holds, written under tmp/`name`. */
function writeOut(sink: MemorySink, name: string): string {
  const root = join(tmp, name);
  for (const [path, content] of sink.files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function build(cfg: TrainConfig, inputs: Partial<ExportInputs>, name: string) {
  const sink = new MemorySink();
  const progress: [number, number][] = [];
  const result = writeReferenceDataset(cfg, { sudokuAugmentations: 0, ...inputs }, sink, (done, total) => progress.push([done, total]));
  return { sink, result, progress, root: writeOut(sink, name) };
}

const npy = (sink: MemorySink, path: string) => parseNpy(sink.files.get(path) as Uint8Array, path);

/**
 * The reference's layout, checked with numpy as its puzzle_dataset.py loads it: dataset.json has exactly
 * PuzzleDatasetMetadata's fields; uint8 inputs/labels [examples, seq_len] (inputs memory-mapped); int32 index
 * arrays; puzzle_indices rising from 0 to the example count, group_indices from 0 to the puzzle count; puzzle ids
 * in [0, num_puzzle_identifiers); tokens inside the vocabulary; identifiers.json one name per id, "<blank>" first.
 */
const CHECK_LAYOUT = `
import json, os, sys
import numpy as np
root = sys.argv[1]
KEYS = ['pad_id', 'ignore_label_id', 'blank_identifier_id', 'vocab_size', 'seq_len', 'num_puzzle_identifiers',
        'total_groups', 'mean_puzzle_examples', 'total_puzzles', 'sets']
ids = json.load(open(os.path.join(root, 'identifiers.json')))
out = {}
for split in ['train', 'test']:
    d = os.path.join(root, split)
    meta = json.load(open(os.path.join(d, 'dataset.json')))
    assert list(meta.keys()) == KEYS, list(meta.keys())
    f = lambda k, mode=None: np.load(os.path.join(d, 'all__%s.npy' % k), mmap_mode=mode)
    inp, lab = f('inputs', 'r'), f('labels', 'r')
    pid, pidx, gidx = f('puzzle_identifiers'), f('puzzle_indices'), f('group_indices')
    assert inp.dtype == np.uint8 and lab.dtype == np.uint8, (inp.dtype, lab.dtype)
    assert pid.dtype == np.int32 and pidx.dtype == np.int32 and gidx.dtype == np.int32
    n = inp.shape[0]
    assert inp.shape == (n, meta['seq_len']) and lab.shape == inp.shape, (inp.shape, lab.shape)
    assert pid.ndim == 1 and pidx.ndim == 1 and gidx.ndim == 1
    assert pidx[0] == 0 and pidx[-1] == n and np.all(np.diff(pidx) > 0), 'puzzle_indices'
    assert len(pidx) == len(pid) + 1 == meta['total_puzzles'] + 1, 'puzzle count'
    assert gidx[0] == 0 and gidx[-1] == len(pid) and np.all(np.diff(gidx) > 0), 'group_indices'
    assert len(gidx) == meta['total_groups'] + 1, 'group count'
    assert pid.min() >= 0 and pid.max() < meta['num_puzzle_identifiers'], 'puzzle ids'
    assert abs(meta['mean_puzzle_examples'] - n / len(pid)) < 1e-9, 'mean_puzzle_examples'
    assert int(inp.max()) < meta['vocab_size'] and int(lab.max()) < meta['vocab_size'], 'vocabulary'
    assert meta['pad_id'] == 0 and meta['ignore_label_id'] == 0 and meta['blank_identifier_id'] == 0
    assert meta['sets'] == ['all']
    assert len(ids) == meta['num_puzzle_identifiers'] and ids[0] == '<blank>', 'identifiers.json'
    out[split] = {'meta': meta, 'examples': n, 'puzzles': len(pid), 'groups': len(gidx) - 1}
print(json.dumps(out))
`;

interface SplitCheck {
  meta: Record<string, unknown>;
  examples: number;
  puzzles: number;
  groups: number;
}
const checkLayout = (root: string) => JSON.parse(python(CHECK_LAYOUT, root)) as { train: SplitCheck; test: SplitCheck };

const tokens = (s: string) => Array.from(s, (c) => (c === '.' ? 1 : Number(c) + 1));

describe('reference dataset: Sudoku', () => {
  // Wikipedia's example Sudoku and its solution.
  const PUZZLE = '53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79';
  const SOLUTION = '534678912672195348198342567859761423426853791713924856961537284287419635345286179';
  const [known] = parseSudokuText(`${PUZZLE},${SOLUTION}\n`, { size: 9 });
  const cfg = getPreset('sudoku-9x9-small');

  it('writes a known puzzle as build_sudoku_dataset.py does: digit + 1, blank 1, the full solution as labels', () => {
    const k = { puzzle: known.puzzle, solution: known.solution! };
    const { sink, root } = build(cfg, { sudokus: { train: [k], test: [k] }, sudokuAugmentations: 4 }, 'sudoku-known');
    const check = checkLayout(root);
    // The metadata build_sudoku_dataset.py writes, but for total_puzzles, which counts puzzles (5 in the group).
    const meta = { pad_id: 0, ignore_label_id: 0, blank_identifier_id: 0, vocab_size: 11, seq_len: 81, num_puzzle_identifiers: 1, total_groups: 1, mean_puzzle_examples: 1, total_puzzles: 5, sets: ['all'] };
    expect(check.train.meta).toEqual(meta);
    expect(check.test.meta).toEqual({ ...meta, total_puzzles: 1 });
    expect(JSON.parse(sink.files.get('identifiers.json') as string)).toEqual(['<blank>']);
    for (const split of ['train', 'test']) {
      const inputs = npy(sink, `${split}/all__inputs.npy`);
      const labels = npy(sink, `${split}/all__labels.npy`);
      expect(Array.from(inputs.data.subarray(0, 81) as Uint8Array)).toEqual(tokens(PUZZLE));
      expect(Array.from(labels.data.subarray(0, 81) as Uint8Array)).toEqual(tokens(SOLUTION));
    }
    expect(Array.from(npy(sink, 'train/all__puzzle_indices.npy').data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(npy(sink, 'train/all__group_indices.npy').data as Int32Array)).toEqual([0, 5]);
    expect(Array.from(npy(sink, 'train/all__puzzle_identifiers.npy').data as Int32Array)).toEqual([0, 0, 0, 0, 0]);
    // The 4 shuffled copies: valid solutions whose givens agree with them, as many givens as the original, and
    // not the original itself.
    const copies = JSON.parse(python(`
import sys, json, numpy as np
d = sys.argv[1]
inp = np.load(d + '/train/all__inputs.npy').astype(int) - 1
lab = np.load(d + '/train/all__labels.npy').astype(int) - 1
res = []
for k in range(1, 5):
    s = lab[k].reshape(9, 9); q = inp[k].reshape(9, 9)
    ok = all(sorted(s[i]) == list(range(1, 10)) and sorted(s[:, i]) == list(range(1, 10)) and
             sorted(s[3*(i//3):3*(i//3)+3, 3*(i%3):3*(i%3)+3].reshape(-1)) == list(range(1, 10)) for i in range(9))
    res.append([ok, bool(np.all((q == 0) | (q == s))), int((q > 0).sum()), bool(np.array_equal(lab[k], lab[0]))])
print(json.dumps(res))`, root)) as [boolean, boolean, number, boolean][];
    const givens = PUZZLE.replace(/\./g, '').length;
    expect(copies).toEqual(Array(4).fill([true, true, givens, false]));
  });

  it('generated puzzles are exactly the ones TRM Lab trains and tests on for the config', () => {
    const small: TrainConfig = { ...getPreset('sudoku-4x4'), data: { kind: 'sudoku', size: 4, difficulty: 1, trainPuzzles: 30, testPuzzles: 7, augment: true } };
    const { sink, root, result } = build(small, { sudokuAugmentations: 2 }, 'sudoku-4x4');
    const check = checkLayout(root);
    expect(check.train).toMatchObject({ examples: 90, puzzles: 90, groups: 30 });
    expect(check.test).toMatchObject({ examples: 7, puzzles: 7, groups: 7 });
    expect(result.train.metadata).toEqual(check.train.meta);
    const src = sudokuSource({ ...small.data, seed: small.seed } as Parameters<typeof sudokuSource>[0]);
    const rows = (path: string) => npy(sink, path).data as Uint8Array;
    src.test.forEach((p, i) => expect(Array.from(rows('test/all__inputs.npy').subarray(i * 16, i * 16 + 16))).toEqual(Array.from(p.puzzle.cells, (d) => d + 1)));
    // Each group starts with its original training puzzle.
    src.train.forEach((p, g) => expect(Array.from(rows('train/all__labels.npy').subarray(3 * g * 16, 3 * g * 16 + 16))).toEqual(Array.from(p.solution.cells, (d) => d + 1)));
  });
});

describe('reference dataset: maze', () => {
  it('uses the charset "# SGo" + 1 and, with augmentation, the 8 symmetries in numpy\'s order per group', () => {
    const cfg: TrainConfig = { ...getPreset('maze'), data: { kind: 'maze', size: 8, minPathLength: 6, trainMazes: 6, testMazes: 3, augment: true } };
    const { root, progress } = build(cfg, {}, 'maze');
    const check = checkLayout(root);
    expect(progress).toEqual(Array.from({ length: 9 }, (_, i) => [i + 1, 9])); // one call per group written
    expect(check.train).toMatchObject({ examples: 48, puzzles: 48, groups: 6 });
    expect(check.test).toMatchObject({ examples: 3, puzzles: 3, groups: 3 });
    expect(check.train.meta).toMatchObject({ seq_len: 64, vocab_size: 6, num_puzzle_identifiers: 1 });
    const src = mazeSource({ ...cfg.data, seed: cfg.seed } as Parameters<typeof mazeSource>[0]);
    const texts = JSON.stringify(src.test.map((m) => [mazeToText(m.input), mazeToText(m.label)]));
    const out = JSON.parse(python(`
import sys, json, numpy as np
d, texts = sys.argv[1], json.loads(sys.argv[2])
CHARSET = '# SGo'
enc = lambda t: [CHARSET.index(c) + 1 for c in t.replace('\\n', '')]
ti, tl = np.load(d + '/test/all__inputs.npy'), np.load(d + '/test/all__labels.npy')
known = all(ti[i].tolist() == enc(a) and tl[i].tolist() == enc(b) for i, (a, b) in enumerate(texts))
D = [lambda a: a, lambda a: np.rot90(a, 1), lambda a: np.rot90(a, 2), lambda a: np.rot90(a, 3), np.fliplr, np.flipud,
     lambda a: a.T, lambda a: np.fliplr(np.rot90(a, 1))]
inp, lab = np.load(d + '/train/all__inputs.npy'), np.load(d + '/train/all__labels.npy')
sym = all(np.array_equal(arr[8 * g + t].reshape(8, 8), D[t](arr[8 * g].reshape(8, 8)))
          for arr in (inp, lab) for g in range(6) for t in range(8))
path = bool(np.all((lab == inp) | ((inp == 2) & (lab == 5)))) and bool(np.all((lab == 5).sum(1) > 0))
print(json.dumps([known, sym, path]))`, root, texts));
    expect(out).toEqual([true, true, true]);
  });
});

/**
 * Every example of an ARC export re-encoded from the task files in Python: the version's augmentation read from
 * its name in identifiers.json (colour map, then numpy's dihedral transform, as build_arc_dataset.py's aug), placed
 * at the offset where the row's grid starts, the 30×30 canvas with colour + 2 and EOS 1 below and right of the
 * grid; labels the same with PAD 0. Checks the split logic too: training tasks give all their pairs to train,
 * evaluation tasks their demonstrations to train and their test pairs, untranslated, to test.
 */
const CHECK_ARC = `
import glob, json, os, sys
import numpy as np
root, tasks = sys.argv[1], sys.argv[2]
load = lambda sub: {os.path.basename(f)[:-5]: json.load(open(f)) for f in glob.glob(os.path.join(tasks, sub, '*.json'))}
training, evaluation = load('training'), load('evaluation')
ids = json.load(open(os.path.join(root, 'identifiers.json')))
D = [lambda a: a, lambda a: np.rot90(a, 1), lambda a: np.rot90(a, 2), lambda a: np.rot90(a, 3), np.fliplr, np.flipud,
     lambda a: a.T, lambda a: np.fliplr(np.rot90(a, 1))]
def aug(name, grid):
    g = np.array(grid, dtype=np.uint8)
    parts = name.split('|||')
    if len(parts) == 1:
        return g
    mapping = np.array([int(c) for c in parts[2]], dtype=np.uint8)
    return D[int(parts[1][1:])](mapping[g])
def encode(g, r, c):
    canvas = np.zeros((30, 30), np.uint8)
    h, w = g.shape
    canvas[r:r + h, c:c + w] = g + 2
    if r + h < 30: canvas[r + h, c:c + w] = 1
    if c + w < 30: canvas[r:r + h, c + w] = 1
    return canvas.reshape(-1)
stats = {}
for split in ['train', 'test']:
    d = os.path.join(root, split)
    f = lambda k: np.load(os.path.join(d, 'all__%s.npy' % k))
    inp, lab, pid, pidx, gidx = f('inputs'), f('labels'), f('puzzle_identifiers'), f('puzzle_indices'), f('group_indices')
    translated = 0
    for g in range(len(gidx) - 1):
        names = [ids[pid[p]] for p in range(gidx[g], gidx[g + 1])]
        base = names[0]
        assert '|||' not in base and all(n.split('|||')[0] == base for n in names), names
        assert len(set(names)) == len(names)
        for p in range(gidx[g], gidx[g + 1]):
            name = ids[pid[p]]
            if split == 'test':
                pairs = evaluation[base]['test']
            elif base in training:
                pairs = training[base]['train'] + training[base]['test']
            else:
                pairs = evaluation[base]['train']
            rows = range(pidx[p], pidx[p + 1])
            assert len(rows) == len(pairs), (name, len(rows), len(pairs))
            at_origin = 0
            for k, pair in zip(rows, pairs):
                r, c = np.argwhere(inp[k].reshape(30, 30) != 0).min(0)
                assert np.array_equal(inp[k], encode(aug(name, pair['input']), r, c)), (split, name, k)
                assert np.array_equal(lab[k], encode(aug(name, pair['output']), r, c)), (split, name, k)
                at_origin += (r, c) == (0, 0)
            assert at_origin >= 1, name
            translated += len(rows) - at_origin
    stats[split] = translated
tp = json.load(open(os.path.join(root, 'test_puzzles.json')))
assert sorted(tp) == sorted(evaluation)
for k, t in tp.items():
    for part in ('train', 'test'):
        assert [(p['input'], p['output']) for p in t[part]] == [(p['input'], p['output']) for p in evaluation[k][part]]
print(json.dumps(stats))
`;

describe('reference dataset: ARC', () => {
  const dir = join(ARC_FIXTURES, 'arc-agi-1');

  it('task files with their augmentations: every row re-encoded in numpy from the task JSON and its version name', () => {
    const split = loadArcTasksFromDisk(dir, 0);
    const cfg: TrainConfig = { ...getPreset('mini-arc'), data: { kind: 'arc', source: 'arc-agi-1', canvas: 30, augmentations: 3, translate: true } };
    const { sink, root, result, progress } = build(cfg, { arcTasks: split }, 'arc');
    const check = checkLayout(root);
    expect(progress.at(-1)).toEqual([check.train.groups + check.test.groups, check.train.groups + check.test.groups]);
    const ids = JSON.parse(sink.files.get('identifiers.json') as string) as string[];
    const versions = ids.length - 1;
    expect(check.train.meta).toMatchObject({ seq_len: 900, vocab_size: 12, num_puzzle_identifiers: ids.length, total_groups: split.train.length + split.eval.length, total_puzzles: versions });
    expect(check.test.meta).toMatchObject({ seq_len: 900, vocab_size: 12, num_puzzle_identifiers: ids.length, total_groups: split.eval.length });
    expect(result.notes.join('\n')).toMatch(/translated/);
    // The same ids, in the same order, as the run TRM Lab makes from this config: a checkpoint's rows line up.
    const run = arcSource(split.train, split.eval, { name: 'arc', canvas: 30, augmentations: 3, translate: true, seed: cfg.seed });
    expect(ids).toEqual(run.registry.toJSON());
    expect(ids.filter((n) => n.includes('|||')).length).toBeGreaterThan(split.train.length + split.eval.length);
    const translated = JSON.parse(python(CHECK_ARC, root, dir)) as { train: number; test: number };
    expect(translated.train).toBeGreaterThan(0);
    expect(translated.test).toBe(0);
  });

  it('procedural families: the tasks and ids of the run for the same config', () => {
    const cfg = getPreset('arc-procedural');
    cfg.data = { ...cfg.data, tasks: 10, augmentations: 2 } as TrainConfig['data'];
    const { sink, root } = build(cfg, {}, 'procedural');
    const check = checkLayout(root);
    const run = createSource(cfg.data, cfg.seed) as ReturnType<typeof arcSource>;
    expect(JSON.parse(sink.files.get('identifiers.json') as string)).toEqual(run.registry.toJSON());
    expect(check.train.groups).toBe(10);
    expect(check.test.groups).toBe(run.evalTasks.length);
    expect(check.test.examples).toBe(run.evalExamples().length);
  });

  it('a held-out test input without its output: labels all ignored, and [[0]] in test_puzzles.json as the reference fills in', () => {
    const g = fromRows([[1, 2], [3, 0]]);
    const tasks = {
      train: [{ id: 'a', train: [{ input: g, output: g }], test: [{ input: g, output: g }] }],
      eval: [{ id: 'b', train: [{ input: g, output: fromRows([[5]]) }], test: [{ input: fromRows([[7, 7, 7]]) }] }],
    };
    const cfg: TrainConfig = { ...getPreset('mini-arc'), data: { kind: 'arc', source: 'mini-arc', canvas: 6, augmentations: 0, translate: false } };
    const { sink, root, result } = build(cfg, { arcTasks: tasks }, 'arc-no-output');
    checkLayout(root);
    expect(result.notes.join('\n')).toMatch(/30×30 canvas \(this config trains on 6×6\)/);
    const labels = npy(sink, 'test/all__labels.npy');
    expect(labels.shape).toEqual([1, 900]);
    expect((labels.data as Uint8Array).every((t) => t === 0)).toBe(true);
    const inputs = npy(sink, 'test/all__inputs.npy').data as Uint8Array;
    expect(Array.from(inputs.subarray(0, 4))).toEqual([9, 9, 9, 1]); // colour 7 + 2, then EOS right of the grid
    expect(Array.from(inputs.subarray(30, 34))).toEqual([1, 1, 1, 0]); // EOS below; the corner stays PAD
    expect(JSON.parse(sink.files.get('test_puzzles.json') as string)).toEqual({ b: { train: [{ input: [[1, 2], [3, 0]], output: [[5]] }], test: [{ input: [[7, 7, 7]], output: [[0]] }] } });
    expect(JSON.parse(sink.files.get('identifiers.json') as string)).toEqual(['<blank>', 'a', 'b']);
  });
});

describe('the numpy layout check', () => {
  it('fails on a folder whose index arrays do not add up', () => {
    const cfg: TrainConfig = { ...getPreset('sudoku-4x4'), data: { kind: 'sudoku', size: 4, difficulty: 1, trainPuzzles: 5, testPuzzles: 2, augment: false } };
    const { sink } = build(cfg, {}, 'good');
    sink.files.set('train/all__puzzle_indices.npy', encodeNpy({ dtype: 'int32', shape: [6], data: Int32Array.from([0, 1, 2, 3, 4, 4]) }));
    expect(() => checkLayout(writeOut(sink, 'broken'))).toThrow(/puzzle_indices/);
  });
});
