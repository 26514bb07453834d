import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArcFormatError, type NamedText, parseArcFiles, parseKaggleCombined, parseTaskFile } from '../../src/data/arc-json';
import {
  ARC_AGI_1_DATA_URL, ARC_AGI_2_DATA_URL, ARC_SOURCES, type ArcSourceId, type FetchLike, type LoadProgress, MINI_ARC_DATA_URL,
  SourceError, TRM_COMBINED_URL, type TextCache, arcAgiTaskUrl, combinedUrls, loadArcSource, loadTaskUrl,
} from '../../src/data/arc-sources';
import { type ArcTask, gridKey, toRows } from '../../src/data/grid';
import { ARC_DATA, combinedIds, hasDatasets, NEEDS_DATASETS, readArc } from '../helpers/datasets';

/** Every .json under `dir` (recursively), named by its path relative to the datasets folder. */
function jsonFiles(dir: string): NamedText[] {
  const abs = join(ARC_DATA, dir);
  return readdirSync(abs)
    .sort()
    .flatMap((n) => {
      const p = join(abs, n);
      if (statSync(p).isDirectory()) return jsonFiles(relative(ARC_DATA, p));
      return n.endsWith('.json') ? [{ name: relative(ARC_DATA, p), text: readFileSync(p, 'utf8') }] : [];
    });
}

const kaggle = (split: string, withSolutions = true) => {
  const f = (kind: string) => {
    const name = `arc-kaggle/arc-agi_${split}_${kind}.json`;
    return { name, text: readArc(name) };
  };
  return parseKaggleCombined(f('challenges'), withSolutions ? f('solutions') : undefined);
};

/** Independent of the parser: the raw JSON arrays, compared with the parsed grids through grid.ts's toRows. */
function expectSameAsRaw(file: NamedText, task: ArcTask) {
  const raw = JSON.parse(file.text) as { train: { input: number[][]; output: number[][] }[]; test: { input: number[][]; output: number[][] }[] };
  const asRows = (pairs: ArcTask['train']) => pairs.map((p) => ({ input: toRows(p.input), output: toRows(p.output!) }));
  // Compared as JSON text: the same check as a deep equality, and fast enough for 1000 tasks.
  expect(JSON.stringify(asRows(task.train))).toBe(JSON.stringify(raw.train.map(({ input, output }) => ({ input, output }))));
  expect(JSON.stringify(asRows(task.test))).toBe(JSON.stringify(raw.test.map(({ input, output }) => ({ input, output }))));
}

/** A task as text: id plus every grid's shape and cells (gridKey is exact for colours 0..9). */
const taskText = (t: ArcTask) => {
  const pairs = (ps: ArcTask['train']) => ps.map((p) => `${gridKey(p.input)}>${p.output ? gridKey(p.output) : '?'}`).join(' ');
  return `${t.id} train ${pairs(t.train)} test ${pairs(t.test)}`;
};

const byId = (tasks: ArcTask[]) => new Map(tasks.map((t) => [t.id, t]));

/** Files per folder and tasks per combined split, as the datasets README states them. */
const README_COUNTS: [string, number][] = [
  ['arc-agi-1/training', 400],
  ['arc-agi-1/evaluation', 400],
  ['arc-agi-2/training', 1000],
  ['arc-agi-2/evaluation', 120],
  ['concept-arc/corpus', 160],
  ['concept-arc/MinimalTasks', 16],
  ['mini-arc/tasks', 149],
  ['1d-arc', 901],
];
const README_SPLITS: [string, number][] = [['training', 400], ['evaluation', 400], ['training2', 1000], ['evaluation2', 120], ['concept', 160]];

describe.skipIf(!hasDatasets)(`the copies hold what the datasets README states ${NEEDS_DATASETS}`, () => {
  it.each(README_COUNTS)('%s: %i task files', (dir, count) => expect(jsonFiles(dir)).toHaveLength(count));
  it.each(README_SPLITS)('combined %s: %i tasks', (split, count) => expect(combinedIds(split)).toHaveLength(count));

  it('concept-arc corpus: 16 concepts x 10; 1d-arc: 18 types', () => {
    const ids = parseArcFiles(jsonFiles('concept-arc/corpus')).map((t) => t.id.replace(/\d+$/, ''));
    const perConcept = new Map<string, number>();
    for (const c of ids) perConcept.set(c, (perConcept.get(c) ?? 0) + 1);
    expect(perConcept.size).toBe(16);
    expect([...perConcept.values()].every((n) => n === 10)).toBe(true);
    expect(new Set(jsonFiles('1d-arc').map((f) => f.name.split('/')[1])).size).toBe(18);
  });
});

describe('real per-task files parse', () => {
  // 1d-arc's grids are wider than ARC's limit: its own test below.
  it.each(README_COUNTS.filter(([dir]) => dir !== '1d-arc').map(([dir]) => [dir]))('%s: one task per file, equal to the raw JSON', (dir) => {
    const files = jsonFiles(dir);
    const tasks = parseArcFiles(files);
    expect(tasks).toHaveLength(files.length);
    expect(files.length).toBeGreaterThan(0);
    tasks.forEach((t, i) => {
      expect(t.id).toBe(files[i].name.replace(/^.*\//, '').replace(/\.json$/, ''));
      expectSameAsRaw(files[i], t);
    });
  });

  it('mini-arc: every grid 5x5, one test pair each', () => {
    const files = jsonFiles('mini-arc/tasks');
    const tasks = parseArcFiles(files);
    expect(tasks).toHaveLength(files.length);
    for (const t of tasks) {
      expect(t.test).toHaveLength(1);
      for (const p of [...t.train, ...t.test]) for (const g of [p.input, p.output!]) expect([g.h, g.w]).toEqual([5, 5]);
    }
  });

  it('1d-arc: every task parses with maxSide 93; the default ARC limit of 30 rejects them by file and cell', () => {
    const files = jsonFiles('1d-arc');
    const tasks = parseArcFiles(files, { maxSide: 93 });
    expect(tasks).toHaveLength(files.length);
    expect(tasks.every((t) => [...t.train, ...t.test].every((p) => p.input.h === 1 && p.output!.h === 1))).toBe(true);
    expect(() => parseArcFiles(files)).toThrow(/^1d-arc\/1d_\w+\/1d_\w+\.json: task 1d_\w+, (train|test) pair \d+, (input|output) row 0: \d+ cells wide \(need 1\.\.30\)$/);
  });
});

describe('Kaggle combined files', () => {
  it.each(README_SPLITS.map(([split]) => [split]))('%s: every task, every test output filled from the solutions', (split) => {
    const tasks = kaggle(split);
    expect(tasks.map((t) => t.id)).toEqual(combinedIds(split));
    expect(tasks.every((t) => t.test.length > 0 && t.test.every((p) => p.output))).toBe(true);
  });

  it('without solutions the test outputs stay unknown', () => {
    const tasks = kaggle('evaluation', false);
    expect(tasks.every((t) => t.test.every((p) => p.output === undefined))).toBe(true);
  });

  it.each([
    ['training', 'arc-agi-1/training'],
    ['evaluation', 'arc-agi-1/evaluation'],
    ['concept', 'concept-arc/corpus'],
  ])('%s equals the upstream per-task files (%s), parsed independently', (split, dir) => {
    const combined = kaggle(split);
    const perTask = byId(parseArcFiles(jsonFiles(dir)));
    expect(new Set(combined.map((t) => t.id))).toEqual(new Set(perTask.keys()));
    for (const t of combined) expect(taskText(t)).toBe(taskText(perTask.get(t.id)!));
  });

  it('a picked mix of combined + solutions + per-task files pairs by name and keeps ids unique', () => {
    const read = (name: string) => ({ name, text: readArc(name) });
    const picked = [
      read('arc-kaggle/arc-agi_concept_solutions.json'),
      read('arc-kaggle/arc-agi_concept_challenges.json'),
      read('arc-kaggle/arc-agi_evaluation2_challenges.json'),
      read('arc-kaggle/LICENSE'),
      ...jsonFiles('mini-arc/tasks').slice(0, 3),
    ];
    const tasks = parseArcFiles(picked);
    expect(tasks).toHaveLength(combinedIds('concept').length + combinedIds('evaluation2').length + 3);
    const ids = byId(tasks);
    expect(ids.get('Copy1')!.test.every((p) => p.output)).toBe(true);
    expect(ids.get(combinedIds('evaluation2')[0])!.test.every((p) => p.output === undefined)).toBe(true);
    expect(() => parseArcFiles([...picked, read('concept-arc/corpus/Copy/Copy1.json')])).toThrow(
      'concept-arc/corpus/Copy/Copy1.json: task Copy1 also comes from arc-kaggle/arc-agi_concept_challenges.json (task ids must be unique)',
    );
    const sol = read('arc-kaggle/arc-agi_concept_solutions.json');
    expect(() => parseArcFiles([...picked, sol])).toThrow( // the same solutions file picked twice
      'arc-kaggle/arc-agi_concept_solutions.json: arc-kaggle/arc-agi_concept_challenges.json already has its solutions in arc-kaggle/arc-agi_concept_solutions.json',
    );
    expect(() => parseArcFiles([read('arc-kaggle/arc-agi_concept_solutions.json')])).toThrow(
      'arc-kaggle/arc-agi_concept_solutions.json: a solutions file without its challenges file',
    );
  });
});

describe('malformed input names file, task, pair, grid and cell or field', () => {
  const task = (train: unknown, test: unknown = [{ input: [[1]], output: [[2]] }]) => JSON.stringify({ train, test });
  const parse = (text: string, name = 'puzzle.json') => () => parseTaskFile({ name, text });
  const ok = [[1, 2], [3, 4]];

  it.each([
    ['non-rectangular', task([{ input: ok, output: [[1, 2], [3]] }]),
      'puzzle.json: task puzzle, train pair 0, output row 1: 1 cells, but row 0 has 2 (grid must be rectangular)'],
    ['31 wide', task([{ input: ok, output: ok }, { input: [new Array(31).fill(0)], output: ok }]),
      'puzzle.json: task puzzle, train pair 1, input row 0: 31 cells wide (need 1..30)'],
    ['31 tall', task([{ input: ok, output: Array.from({ length: 31 }, () => [0]) }]),
      'puzzle.json: task puzzle, train pair 0, output: 31 rows (need 1..30)'],
    ['value 10', task([{ input: ok, output: ok }, { input: ok, output: [[0, 0], [0, 10]] }]),
      'puzzle.json: task puzzle, train pair 1, output row 1 col 1: value 10 is not an integer 0..9'],
    ['value 1.5', task([{ input: [[0, 1.5], [2, 3]], output: ok }]),
      'puzzle.json: task puzzle, train pair 0, input row 0 col 1: value 1.5 is not an integer 0..9'],
    ['value -1', task([{ input: ok, output: ok }], [{ input: [[-1]] }]),
      'puzzle.json: task puzzle, test pair 0, input row 0 col 0: value -1 is not an integer 0..9'],
    ['a string cell', task([{ input: [['3']], output: ok }]),
      'puzzle.json: task puzzle, train pair 0, input row 0 col 0: value "3" is not an integer 0..9'],
    ['an empty grid', task([{ input: [], output: ok }]), 'puzzle.json: task puzzle, train pair 0, input: 0 rows (need 1..30)'],
    ['an empty row', task([{ input: [[]], output: ok }]), 'puzzle.json: task puzzle, train pair 0, input row 0: 0 cells wide (need 1..30)'],
    ['a row that is not a list', task([{ input: [[1], 7], output: ok }]),
      'puzzle.json: task puzzle, train pair 0, input row 1: expected a list of cells, got number 7'],
    ['missing train', JSON.stringify({ test: [{ input: ok }] }), 'puzzle.json: task puzzle: missing "train" (a non-empty list of pairs)'],
    ['empty train', task([]), 'puzzle.json: task puzzle: "train" is empty (need at least one pair)'],
    ['missing test', JSON.stringify({ train: [{ input: ok, output: ok }] }), 'puzzle.json: task puzzle: missing "test" (a non-empty list of pairs)'],
    ['a train pair without output', task([{ input: ok }]), 'puzzle.json: task puzzle, train pair 0: missing "output"'],
    ['a pair without input', task([{ output: ok }]), 'puzzle.json: task puzzle, train pair 0: missing "input"'],
    ['a pair that is a list', task([[ok, ok]]), 'puzzle.json: task puzzle, train pair 0: expected an object {input, output}, got a list'],
    ['a top-level list', '[1, 2]', 'puzzle.json: task puzzle: expected an object {train, test}, got a list'],
  ])('%s', (_, text, message) => {
    expect(parse(text)).toThrow(ArcFormatError);
    expect(parse(text)).toThrow(new ArcFormatError(message));
  });

  it('bad JSON names the file and the parser error', () => {
    expect(parse('{"train": [', 'broken.json')).toThrow(/^broken\.json: invalid JSON \(.+\)$/);
  });

  const combined = {
    name: 'x_challenges.json',
    text: JSON.stringify({ aa: { train: [{ input: ok, output: ok }], test: [{ input: ok }, { input: [[5]] }] } }),
  };
  const solutions = (v: unknown) => ({ name: 'x_solutions.json', text: JSON.stringify(v) });

  it.each([
    ['solutions count mismatch', { aa: [ok] }, 'x_solutions.json: task aa: 1 solutions for 2 test inputs'],
    ['a task without solutions', { bb: [] }, 'x_solutions.json: task bb: not in x_challenges.json'],
    ['missing task in solutions', {}, 'x_solutions.json: task aa: missing (no solutions for this task)'],
    ['a bad solution cell', { aa: [ok, [[0, 12]]] }, 'x_solutions.json: task aa, test pair 1, output row 0 col 1: value 12 is not an integer 0..9'],
    ['solutions not a map', [ok], 'x_solutions.json: expected an object {taskId: [grid, ...]}, got a list'],
  ])('combined: %s', (_, sol, message) => {
    expect(() => parseKaggleCombined(combined, solutions(sol))).toThrow(new ArcFormatError(message));
  });

  it('combined: a bad challenge grid names the challenges file and task', () => {
    const bad = { name: 'c.json', text: JSON.stringify({ t1: { train: [{ input: [[1, 2], [3]], output: ok }], test: [{ input: ok }] } }) };
    expect(() => parseKaggleCombined(bad)).toThrow(
      'c.json: task t1, train pair 0, input row 1: 1 cells, but row 0 has 2 (grid must be rectangular)',
    );
  });
});

describe('public sources, loaded through a fake fetch that serves the local copies', () => {
  const localPath = (url: string): string | undefined => {
    const routes: [string, string][] = [
      [TRM_COMBINED_URL, 'arc-kaggle'],
      [MINI_ARC_DATA_URL, 'mini-arc/tasks'],
      [ARC_AGI_1_DATA_URL, 'arc-agi-1'],
      [ARC_AGI_2_DATA_URL, 'arc-agi-2'],
    ];
    for (const [prefix, dir] of routes)
      if (url.startsWith(`${prefix}/`)) return join(ARC_DATA, dir, decodeURIComponent(url.slice(prefix.length + 1)));
    return undefined;
  };
  const fakeFetch = () => {
    const calls: string[] = [];
    const fetch: FetchLike = async (url) => {
      calls.push(url);
      const path = localPath(url);
      if (!path || !existsSync(path)) return new Response('404: Not Found', { status: 404, statusText: 'Not Found' });
      return new Response(readFileSync(path, 'utf8'), { status: 200 });
    };
    return { fetch, calls };
  };
  const memoryCache = () => {
    const map = new Map<string, string>();
    const cache: TextCache = { get: (k) => map.get(k), put: (k, v) => void map.set(k, v) };
    return { cache, map };
  };

  it.skipIf(!hasDatasets)(`uses the URLs the datasets README names ${NEEDS_DATASETS}`, () => {
    const readme = readArc('README.md');
    expect(readme).toContain(`${ARC_AGI_1_DATA_URL}/{training,evaluation}/<id>.json`);
    expect(readme).toContain(`${ARC_AGI_2_DATA_URL}/{training,evaluation}/<id>.json`);
    expect(readme).toContain(`${TRM_COMBINED_URL}/arc-agi_<split>_{challenges,solutions}.json`);
    expect(readme).toContain(`${MINI_ARC_DATA_URL}/<name>.json`);
  });

  it('builds the raw GitHub URLs', () => {
    expect(arcAgiTaskUrl(1, 'training', '007bbfb7')).toBe('https://raw.githubusercontent.com/fchollet/ARC-AGI/master/data/training/007bbfb7.json');
    expect(ARC_SOURCES['concept-arc'].files).toEqual({
      kind: 'combined',
      challenges: 'https://raw.githubusercontent.com/SamsungSAILMontreal/TinyRecursiveModels/main/kaggle/combined/arc-agi_concept_challenges.json',
      solutions: 'https://raw.githubusercontent.com/SamsungSAILMontreal/TinyRecursiveModels/main/kaggle/combined/arc-agi_concept_solutions.json',
    });
  });

  it.skipIf(!hasDatasets)(`Mini-ARC's name list is exactly the upstream folder ${NEEDS_DATASETS}`, () => {
    const files = ARC_SOURCES['mini-arc'].files;
    expect(files.kind).toBe('per-task');
    if (files.kind !== 'per-task') return;
    const local = readdirSync(join(ARC_DATA, 'mini-arc/tasks')).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
    expect([...files.names].sort()).toEqual(local.sort());
  });

  /** Loads `id` through the fake fetch into an empty cache, then again from the cache alone. */
  async function loadTwice(id: ArcSourceId, count: number, nFiles: number) {
    const { fetch, calls } = fakeFetch();
    const { cache, map } = memoryCache();
    const progress: LoadProgress[] = [];
    const tasks = await loadArcSource(id, { fetch, cache, onProgress: (p) => progress.push(p) });
    expect(tasks).toHaveLength(count);
    expect(tasks.every((t) => t.test.every((p) => p.output))).toBe(true);
    expect(new Set(calls).size).toBe(nFiles);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: nFiles }, (_, i) => i + 1));
    expect(progress.every((p) => p.total === nFiles && p.source === id && !p.cached)).toBe(true);
    expect(map.size).toBe(nFiles);
    for (const [url, text] of map) expect(text === readFileSync(localPath(url)!, 'utf8')).toBe(true); // cached verbatim

    calls.length = 0;
    progress.length = 0;
    const again = await loadArcSource(id, { fetch, cache, onProgress: (p) => progress.push(p) });
    expect(calls).toEqual([]);
    expect(progress.every((p) => p.cached)).toBe(true);
    expect(again.map((t) => t.id)).toEqual(tasks.map((t) => t.id)); // the same text parsed again: same tasks
  }

  it.each([
    ['arc-agi-1-training', 'training'],
    ['arc-agi-1-evaluation', 'evaluation'],
    ['arc-agi-2-training', 'training2'],
    ['arc-agi-2-evaluation', 'evaluation2'],
    ['concept-arc', 'concept'],
  ] as [ArcSourceId, string][])('%s: the tasks of combined %s in 2 files; the second load comes from the cache', (id, split) =>
    loadTwice(id, combinedIds(split).length, 2));

  it.skipIf(!hasDatasets)(`mini-arc: 149 tasks in 149 files; the second load comes from the cache ${NEEDS_DATASETS}`, () => loadTwice('mini-arc', 149, 149));

  it.skipIf(!hasDatasets)(`Mini-ARC through the source equals the local folder, in name order, ids = names ${NEEDS_DATASETS}`, async () => {
    const tasks = await loadArcSource('mini-arc', { ...fakeFetch(), concurrency: 3 });
    const files = ARC_SOURCES['mini-arc'].files as { names: readonly string[] };
    expect(tasks.map((t) => t.id)).toEqual([...files.names]);
    const local = byId(parseArcFiles(jsonFiles('mini-arc/tasks')));
    for (const t of tasks) expect(taskText(t)).toBe(taskText(local.get(t.id)!));
  });

  it('one task by URL, through an async cache', async () => {
    const { fetch, calls } = fakeFetch();
    const map = new Map<string, string>();
    const cache: TextCache = { get: async (k) => map.get(k), put: async (k, v) => void map.set(k, v) };
    const url = arcAgiTaskUrl(2, 'evaluation', 'e8686506');
    const task = await loadTaskUrl(url, { fetch, cache });
    expect(task.id).toBe('e8686506');
    expect(taskText(task)).toBe(taskText(parseTaskFile(jsonFiles('arc-agi-2/evaluation').find((f) => f.name.endsWith('e8686506.json'))!)));
    await loadTaskUrl(url, { fetch, cache });
    expect(calls).toEqual([url]);
  });

  it('offline: the error names the URL', async () => {
    const offline: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const url = combinedUrls('training').challenges;
    const err = await loadArcSource('arc-agi-1-training', { fetch: offline }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toBe(`could not fetch ${url} (offline or blocked?): fetch failed`);
    expect((err as SourceError).url).toBe(url);
  });

  it('an HTTP failure names the URL and the status', async () => {
    const { fetch } = fakeFetch();
    const url = arcAgiTaskUrl(1, 'training', 'nope');
    const err = await loadTaskUrl(url, { fetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toBe(`${url} answered HTTP 404 Not Found`);
    expect((err as SourceError).status).toBe(404);
  });

  it('a download that does not parse is reported by URL and not cached', async () => {
    const broken: FetchLike = async (url) =>
      new Response(url.endsWith('_solutions.json') ? '{"x": [[[1]]]}' : '{"x": {"train": [{"input": [[1]], "output": [[1, 2], [3]]}], "test": [{"input": [[1]]}]}}');
    const { cache, map } = memoryCache();
    const url = combinedUrls('evaluation').challenges;
    await expect(loadArcSource('arc-agi-1-evaluation', { fetch: broken, cache })).rejects.toThrow(
      `${url}: task x, train pair 0, output row 1: 1 cells, but row 0 has 2 (grid must be rectangular)`,
    );
    expect(map.size).toBe(0);
  });
});
