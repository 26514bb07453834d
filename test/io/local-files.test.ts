import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toRows } from '../../src/data/grid';
import { generateMaze, mazeToText, OPEN, PATH, WALL } from '../../src/data/maze';
import { generateSudokus } from '../../src/data/sudoku';
import { formatSudokuText } from '../../src/data/sudoku-text';
import { mulberry32 } from '../../src/nn/init';
import { parseLocalFiles, readLocalFiles, roleOfPath, type LocalGroup } from '../../src/io/local-files';
import { arcPath, combinedIds, readArc } from '../helpers/datasets';

const shared = (rel: string, name = rel) => ({ name, text: readArc(rel) });
const arcGroups = (groups: LocalGroup[]) => groups.filter((g): g is Extract<LocalGroup, { kind: 'arc' }> => g.kind === 'arc');

describe('local files: ARC JSON', () => {
  it('a folder of per-task files is one group named by the folder, its role read from the path', () => {
    const names = readdirSync(arcPath('arc-agi-1/evaluation')).filter((n) => n.endsWith('.json')).slice(0, 12);
    const load = parseLocalFiles(names.map((n) => shared(`arc-agi-1/evaluation/${n}`, `ARC-AGI/data/evaluation/${n}`)));
    expect(load.errors).toEqual([]);
    expect(load.groups).toHaveLength(1);
    const [g] = arcGroups(load.groups);
    expect(g).toMatchObject({ name: 'ARC-AGI/data/evaluation/', role: 'eval' });
    expect(g.tasks.map((t) => t.id)).toEqual(names.map((n) => n.replace('.json', '')));
    expect(g.files).toHaveLength(names.length);
    expect(names.length).toBeGreaterThan(1);
  });

  it('a Kaggle challenges file pairs with its solutions file; test outputs come from the solutions', () => {
    const load = parseLocalFiles([shared('arc-kaggle/arc-agi_evaluation_solutions.json', 'arc-agi_evaluation_solutions.json'), shared('arc-kaggle/arc-agi_evaluation_challenges.json', 'arc-agi_evaluation_challenges.json')]);
    expect(load.errors).toEqual([]);
    const [g] = arcGroups(load.groups);
    expect(g.name).toBe('arc-agi_evaluation_challenges.json + arc-agi_evaluation_solutions.json');
    expect(g.role).toBe('eval');
    expect(g.tasks).toHaveLength(combinedIds('evaluation').length);
    expect(g.tasks.every((t) => t.test.every((p) => p.output))).toBe(true);
    // Same as the per-task file of the upstream repository.
    const perTask = parseLocalFiles([shared('arc-agi-1/evaluation/00576224.json')]);
    const want = arcGroups(perTask.groups)[0].tasks[0];
    const got = g.tasks.find((t) => t.id === '00576224')!;
    expect(toRows(got.test[0].output!)).toEqual(toRows(want.test[0].output!));
  });

  it('a challenges file alone loads with unknown test outputs', () => {
    const load = parseLocalFiles([shared('arc-kaggle/arc-agi_concept_challenges.json', 'arc-agi_concept_challenges.json')]);
    expect(load.errors).toEqual([]);
    const [g] = arcGroups(load.groups);
    expect(g.tasks).toHaveLength(combinedIds('concept').length);
    expect(g.tasks[0].test[0].output).toBeUndefined();
  });

  it('malformed files each get an error naming the file and what is wrong; the good files still load', () => {
    const good = shared('arc-agi-1/training/007bbfb7.json', 'mine/007bbfb7.json');
    const real = readArc('arc-agi-1/training/00d62c1b.json');
    const files = [
      good,
      { name: 'mine/truncated.json', text: real.slice(0, real.length / 2) },
      { name: 'mine/bad-colour.json', text: real.replace('[[0, 0, 0', '[[12, 0, 0') },
      { name: 'mine/no-test.json', text: JSON.stringify({ train: JSON.parse(real).train }) },
      { name: 'mine/ragged.json', text: JSON.stringify({ train: [{ input: [[1, 2], [3]], output: [[1]] }], test: [{ input: [[1]] }] }) },
      { name: 'photo.png', text: '\x89PNG' },
    ];
    const load = parseLocalFiles(files);
    expect(arcGroups(load.groups).flatMap((g) => g.tasks.map((t) => t.id))).toEqual(['007bbfb7']);
    const byFile = Object.fromEntries(load.errors.map((e) => [e.file, e.message]));
    expect(Object.keys(byFile).sort()).toEqual(['mine/bad-colour.json', 'mine/no-test.json', 'mine/ragged.json', 'mine/truncated.json', 'photo.png']);
    expect(byFile['mine/truncated.json']).toMatch(/^mine\/truncated\.json: invalid JSON/);
    expect(byFile['mine/bad-colour.json']).toBe('mine/bad-colour.json: task bad-colour, train pair 0, input row 0 col 0: value 12 is not an integer 0..9');
    expect(byFile['mine/no-test.json']).toBe('mine/no-test.json: task no-test: missing "test" (a non-empty list of pairs)');
    expect(byFile['mine/ragged.json']).toMatch(/row 1: 1 cells, but row 0 has 2/);
    expect(byFile['photo.png']).toMatch(/^photo\.png: unsupported file type "\.png"/);
  });

  it('a broken solutions file is blamed by name and costs its challenges file only', () => {
    const solutions = JSON.parse(readArc('arc-kaggle/arc-agi_concept_solutions.json'));
    const first = Object.keys(solutions)[0];
    solutions[first] = [];
    const load = parseLocalFiles([
      shared('arc-kaggle/arc-agi_concept_challenges.json', 'arc-agi_concept_challenges.json'),
      { name: 'arc-agi_concept_solutions.json', text: JSON.stringify(solutions) },
      shared('mini-arc/tasks/xor_l6bk7mn24iz2pdb4lxp.json', 'xor_l6bk7mn24iz2pdb4lxp.json'),
    ]);
    expect(load.errors).toEqual([{ file: 'arc-agi_concept_solutions.json', message: `arc-agi_concept_solutions.json: task ${first}: 0 solutions for 3 test inputs` }]);
    expect(arcGroups(load.groups).map((g) => g.name)).toEqual(['xor_l6bk7mn24iz2pdb4lxp.json']);
  });

  it('a solutions file without its challenges file says so', () => {
    const load = parseLocalFiles([shared('arc-kaggle/arc-agi_training_solutions.json', 'arc-agi_training_solutions.json')]);
    expect(load.groups).toEqual([]);
    expect(load.errors[0].message).toMatch(/^arc-agi_training_solutions\.json: a solutions file without its challenges file/);
  });

  it('strips a byte-order mark; reads the role from folder and Kaggle names', () => {
    const load = parseLocalFiles([{ name: 'x.json', text: '\uFEFF' + readArc('mini-arc/tasks/xor_l6bk7mn24iz2pdb4lxp.json') }]);
    expect(load.errors).toEqual([]);
    expect(roleOfPath('data/training/a.json')).toBe('train');
    expect(roleOfPath('arc-agi_evaluation2_challenges.json')).toBe('eval');
    expect(roleOfPath('arc-agi_concept_challenges.json')).toBe('none');
    expect(roleOfPath('mini-arc/tasks/')).toBe('none');
  });
});

describe('local files: sudoku and maze text', () => {
  it('sudoku text loads one puzzle per line; a bad line fails its file with the line and cell', () => {
    const puzzles = generateSudokus(5, { size: 4 }, 3);
    const good = { name: 'puzzles.txt', text: '# my puzzles\n' + formatSudokuText(puzzles) };
    const bad = { name: 'bad.txt', text: '1234341221434321\n12x4............\n' };
    const load = parseLocalFiles([good, bad]);
    const g = load.groups.find((x) => x.kind === 'sudoku');
    expect(g?.kind === 'sudoku' && g.puzzles.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
    expect(load.errors).toEqual([{ file: 'bad.txt', message: "bad.txt: line 2 char 3 (puzzle row 1 col 3): 'x' is not '.', '0' or a digit 1..4" }]);
  });

  it('maze text: an input gets its BFS path as label; a label gives back its input; errors name the line', () => {
    const m = generateMaze({ n: 7, minPathLength: 5 }, mulberry32(4));
    const load = parseLocalFiles([
      { name: 'a.txt', text: mazeToText(m.input) },
      { name: 'mazes/b-label.txt', text: mazeToText(m.label) },
      { name: 'cut-off.maze', text: 'S#G\n' },
      { name: 'broken-maze.txt', text: '#S#\n#x#\n#G#\n' },
    ]);
    expect(load.errors).toEqual([{ file: 'broken-maze.txt', message: "broken-maze.txt: line 2 col 2: 'x' is not one of '#', ' ', 'S', 'G', 'o'" }]);
    const mazes = load.groups.flatMap((g) => (g.kind === 'maze' ? g.mazes : []));
    expect(mazes.map((x) => x.id)).toEqual(['a.txt', 'b-label.txt', 'cut-off.maze']);
    const [a, b, cut] = mazes;
    expect(a.label?.cells.filter((v) => v === PATH).length).toBe(m.pathLength - 1);
    expect(b.input.cells).toEqual(m.input.cells);
    expect(b.label?.cells).toEqual(m.label.cells);
    expect(cut.label).toBeUndefined();
    expect(Array.from(cut.input.cells)).toEqual([3, WALL, 4]);
    expect(OPEN).toBe(2);
  });
});

describe('readLocalFiles', () => {
  it('reads File objects (paths kept), sorts them, and reports a file that cannot be read', async () => {
    const text = readArc('mini-arc/tasks/xor_l6bk7mn24iz2pdb4lxp.json');
    const load = await readLocalFiles([
      { name: 'b.json', path: 'set/b.json', text: async () => text },
      new File([text], 'a.json'),
      { name: 'gone.json', text: () => Promise.reject(new Error('NotReadableError: the file changed')) },
    ]);
    expect(load.errors).toEqual([{ file: 'gone.json', message: 'gone.json: could not be read (NotReadableError: the file changed)' }]);
    expect(load.groups.map((g) => g.name)).toEqual(['a.json', 'set/']);
  });

  it('Mini-ARC as a dropped folder: all its tasks in one group', async () => {
    const names = readdirSync(arcPath('mini-arc/tasks'));
    const load = await readLocalFiles(names.map((n) => ({ name: n, webkitRelativePath: `MiniARC/${n}`, text: async () => readArc(`mini-arc/tasks/${n}`) })));
    expect(load.errors).toEqual([]);
    expect(load.groups).toHaveLength(1);
    expect(load.groups[0]).toMatchObject({ name: 'MiniARC/', role: 'none' });
    expect(arcGroups(load.groups)[0].tasks).toHaveLength(names.length);
  });
});
