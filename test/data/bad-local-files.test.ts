// The page's local-file loader (drop or pick): each bad file becomes one short error naming it, the good files
// still load, and a task in both the training and the evaluation split is refused naming both files.
import { describe, expect, it } from 'vitest';
import { parseLocalFiles, readLocalFiles, type LocalLoad } from '../../src/io/local-files';
import { expectUserMessage } from '../helpers/user-message';

const ok = [[1, 2], [3, 4]];
const task = JSON.stringify({ train: [{ input: ok, output: ok }], test: [{ input: ok, output: ok }] });

/** The one error for `file`, checked to be a bounded user-facing line with no runtime internals. */
function errorOf(load: LocalLoad, file: string): string {
  const mine = load.errors.filter((e) => e.file === file);
  expect(mine).toHaveLength(1);
  const m = mine[0].message;
  expectUserMessage(m);
  return m;
}

const taskIds = (load: LocalLoad) => load.groups.flatMap((g) => (g.kind === 'arc' ? g.tasks.map((t) => t.id) : []));

describe('local files: bad files are errors of their own', () => {
  it('an empty text file and an empty .json file', () => {
    const load = parseLocalFiles([
      { name: 'empty.txt', text: '' },
      { name: 'empty.json', text: '\uFEFF' },
      { name: 'good.json', text: task },
    ]);
    expect(errorOf(load, 'empty.txt')).toBe('empty.txt: empty file (no puzzles)');
    expect(errorOf(load, 'empty.json')).toBe('empty.json: empty file (expected ARC task JSON or a Kaggle combined file)');
    expect(taskIds(load)).toEqual(['good']);
  });

  it('a text file of comments only is a Sudoku file with no puzzles, not a broken maze', () => {
    const load = parseLocalFiles([{ name: 'notes.txt', text: '# puzzles to come\n# later\n' }]);
    expect(errorOf(load, 'notes.txt')).toMatch(/^notes\.txt: no puzzles \(only comments and blank lines;/);
  });

  it('a task id in both training/ and evaluation/ is refused naming both files; the training task loads', () => {
    const load = parseLocalFiles([
      { name: 'ARC/data/training/t1.json', text: task },
      { name: 'ARC/data/evaluation/t1.json', text: task },
      { name: 'ARC/data/evaluation/t2.json', text: task },
    ]);
    expect(errorOf(load, 'ARC/data/evaluation/t1.json')).toBe(
      'ARC/data/evaluation/t1.json: task t1 is also a training task (ARC/data/training/t1.json); a task in both splits would be scored on what it trained on',
    );
    expect(load.groups.map((g) => [g.name, g.role, g.kind === 'arc' && g.tasks.map((t) => t.id)])).toEqual([
      ['ARC/data/training/', 'train', ['t1']],
      ['ARC/data/evaluation/', 'eval', ['t2']],
    ]);
  });

  it('a Kaggle evaluation file holding a training task id is refused whole', () => {
    const load = parseLocalFiles([
      { name: 'k/arc-agi_training_challenges.json', text: JSON.stringify({ a1: JSON.parse(task) }) },
      { name: 'k/arc-agi_evaluation_challenges.json', text: JSON.stringify({ b1: JSON.parse(task), a1: JSON.parse(task) }) },
    ]);
    expect(errorOf(load, 'k/arc-agi_evaluation_challenges.json')).toMatch(/^k\/arc-agi_evaluation_challenges\.json: task a1 is also a training task \(k\/arc-agi_training_challenges\.json\)/);
    expect(taskIds(load)).toEqual(['a1']);
  });

  it('JSON nested 100,000 deep and a 5 MB task id', () => {
    const load = parseLocalFiles([
      { name: 'deep.json', text: '['.repeat(100_000) + ']'.repeat(100_000) },
      { name: 'x_challenges.json', text: JSON.stringify({ ['y'.repeat(5_000_000)]: JSON.parse(task) }) },
    ]);
    expect(errorOf(load, 'deep.json')).toBe('deep.json: task deep: expected an object {train, test}, got a list');
    expect(errorOf(load, 'x_challenges.json')).toMatch(/^x_challenges\.json: task "y{40}…" \(5000000 characters\): a task id must be 1\.\.255 characters/);
  });

  it("a maze whose drawn path is not a shortest one", () => {
    const load = parseLocalFiles([{ name: 'path.maze', text: 'Soo\n #o\nGoo\n' }]);
    expect(errorOf(load, 'path.maze')).toBe("path.maze: the 'o' cells (5) are not one shortest path from S to G (2 moves, so 1 'o' cells)");
  });

  it('a picked folder named x.json (its read fails) is named, the reason kept short', async () => {
    const folder = { name: 'x.json', text: () => Promise.reject(new DOMException('A requested file or directory could not be found.', 'NotFoundError')) };
    const load = await readLocalFiles([folder, { name: 'a.json', text: async () => task }]);
    expect(errorOf(load, 'x.json')).toBe('x.json: could not be read (A requested file or directory could not be found.)');
    expect(taskIds(load)).toEqual(['a']);
  });
});

describe('local files: valid files in the forms OSes write them load', () => {
  it('upper-case .JSON and a byte-order mark', () => {
    const load = parseLocalFiles([
      { name: 'set/T1.JSON', text: '\uFEFF' + task },
      { name: 'set/puzzles.TXT', text: '\uFEFF1.3.3..2.1....21\n' },
    ]);
    expect(load.errors).toEqual([]);
    expect(taskIds(load)).toEqual(['T1']);
    expect(load.groups.find((g) => g.kind === 'sudoku')?.name).toBe('set/puzzles.TXT');
  });
});
