// The real CLI on bad puzzle and task files: `eval --data` (Sudoku text, maze text, ARC folders and Kaggle files)
// and `train --arc-dir`. Each refusal is one `[trm] error: …` line naming the file (and line, task or field) and
// the problem, exit 1, nothing on stdout (no accuracy over nothing), nothing written; valid files still evaluate.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { expectUserMessage } from '../helpers/user-message';

const root = mkdtempSync(join(tmpdir(), 'trm-eval-data-'));
const SUDOKU = 'public/models/sudoku-4x4/model.safetensors';
const evalOn = (checkpoint: string, data: string) => runCli('eval', ['--checkpoint', checkpoint, '--data', data, '--backend', 'cpu']);

/** Runs eval and returns its error line, checked to be the one bounded `[trm] error:` line and nothing else. */
function refused(checkpoint: string, data: string): string {
  const r = evalOn(checkpoint, data);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expectUserMessage(lines[0], /^\[trm\] error: /);
  return lines[0].slice('[trm] error: '.length);
}

function evaluated(checkpoint: string, data: string): string {
  const r = evalOn(checkpoint, data);
  expect(r.stderr).not.toMatch(/error/);
  expect(r.code).toBe(0);
  return r.stdout;
}

let n = 0;
/** A file (or, for a record, a folder of files) with this content under a fresh temp dir. */
function file(name: string, content: string | Buffer): string {
  const dir = join(root, `f${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}
function folder(files: Record<string, string>): string {
  const dir = join(root, `d${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const grid = (v: number, side: number) => Array.from({ length: side }, () => new Array(side).fill(v));
const task = (i: number, side = 2, output = true) =>
  JSON.stringify({ train: [{ input: grid(i % 10, side), output: grid((i + 1) % 10, side) }], test: [output ? { input: grid(i % 10, 2), output: grid((i + 1) % 10, 2) } : { input: grid(i % 10, 2) }] });
/** The six tasks the ARC checkpoint trains on (6×6 canvas). */
const SIX = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`t${i}.json`, task(i, 2 + (i % 2))]));
const tiny = ['--steps', '1', '--backend', 'cpu', '--model.hidden', '16', '--model.puzzleEmbDim', '16', '--model.T', '1', '--model.n', '1', '--model.nSup', '1', '--optim.batchSize', '2', '--evalEvery', '0'];
let MAZE = '';
let ARC = '';
let arcTasks = '';

beforeAll(() => {
  const maze = runCli('train', ['--preset', 'maze', ...tiny, '--out', join(root, 'maze-run'), '--data.size', '5', '--data.minPathLength', '2', '--data.trainMazes', '4', '--data.testMazes', '2']);
  expect(maze.code, maze.stderr).toBe(0);
  MAZE = join(root, 'maze-run', 'checkpoint.safetensors');
  arcTasks = folder(SIX);
  const arc = runCli('train', ['--preset', 'mini-arc', '--arc-dir', arcTasks, ...tiny, '--out', join(root, 'arc-run'), '--data.augmentations', '0']);
  expect(arc.code, arc.stderr).toBe(0);
  ARC = join(root, 'arc-run', 'checkpoint.safetensors');
}, 120_000);

describe('eval --data: Sudoku text (4×4 checkpoint)', () => {
  it('an empty file', () => {
    const p = file('empty.txt', '');
    expect(refused(SUDOKU, p)).toMatch(new RegExp(`^${p}: no puzzles \\(empty file;`));
  });
  it('a file of comments only', () => {
    const p = file('c.txt', '# nothing yet\n\n# really\n');
    expect(refused(SUDOKU, p)).toMatch(new RegExp(`^${p}: no puzzles \\(only comments and blank lines;`));
  });
  it('a puzzle with several solutions and none given', () => {
    const p = file('several.txt', '1.3.3..2.1....21\n1.3.....2.......\n');
    expect(refused(SUDOKU, p)).toBe(`${p}: line 2: the puzzle has more than one solution, so there is no single answer to score; give the intended one after a comma (puzzle,solution)`);
  });
  it('a puzzle with no solution', () => {
    const p = file('none.txt', '12........3...4.\n');
    expect(refused(SUDOKU, p)).toBe(`${p}: line 1: the puzzle has no solution`);
  });
  it("a line's solution that contradicts its givens", () => {
    const p = file('contra.txt', '1.3.....2.......,2234341221434321\n');
    expect(refused(SUDOKU, p)).toBe(`${p}: line 1, row 1 col 1: solution has 2 where the puzzle gives 1`);
  });
  it('a 9×9 puzzle for the 4×4 model names both shapes', () => {
    const p = file('nine.txt', `${'.'.repeat(81)}\n`);
    expect(refused(SUDOKU, p)).toBe(`${p}: line 1: puzzle is 9×9 (81 characters), but the checkpoint reads 4×4 Sudoku (16 characters)`);
  });
  it('a 5 MB line', () => {
    const p = file('big.txt', '1'.repeat(5_000_000));
    expect(refused(SUDOKU, p)).toBe(`${p}: line 1: puzzle has 5000000 characters, expected 16 for a 4×4 sudoku`);
  });
  it('a folder named like a puzzle file', () => {
    const p = join(folder({ 'x.txt/inner': '' }), 'x.txt');
    expect(refused(SUDOKU, p)).toBe(`${p}: is a folder, not a file`);
  });
  it('a path that does not exist', () => {
    const p = join(root, 'no-such.txt');
    expect(refused(SUDOKU, p)).toBe(`${p}: no such file or folder`);
  });
  it('UTF-16 text, as Windows editors save "Unicode"', () => {
    const p = file('u16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('1.3.3..2.1....21\n', 'utf16le')]));
    expect(refused(SUDOKU, p)).toBe(`${p}: UTF-16 text; save it as UTF-8`);
  });
  it('ARC JSON for a Sudoku checkpoint', () => {
    const p = file('t.json', task(1));
    expect(refused(SUDOKU, p)).toBe(`--data ${p}: ARC task JSON, but this checkpoint reads 4×4 Sudoku (a text file)`);
  });
  it('valid: a byte-order mark, CRLF, a unique puzzle and one with its own solution', () => {
    const p = file('ok.txt', Buffer.from('\uFEFF# two\r\n1.3.3..2.1....21\r\n1.3.....2.......,1234341221434321\r\n'));
    expect(evaluated(SUDOKU, p)).toMatch(/examples\s+2\n/);
  });
});

describe('eval --data: maze text (5×5 checkpoint)', () => {
  const UNIQUE = ['S####', ' ####', ' ####', ' ####', '    G'];
  it('a maze of another side names both shapes', () => {
    const p = file('seven.maze', `${['S      ', ...new Array(5).fill('       '), '      G'].join('\n')}\n`);
    expect(refused(MAZE, p)).toBe(`${p}: a 7×7 maze, but the checkpoint reads 5×5 mazes`);
  });
  it('a maze with several shortest paths', () => {
    const p = file('open.maze', `${['S    ', '     ', '     ', '     ', '    G'].join('\n')}\n`);
    expect(refused(MAZE, p)).toBe(`${p}: the maze has more than one shortest path, so there is no single answer to score; draw the intended one with 'o' cells`);
  });
  it('a maze whose goal cannot be reached', () => {
    const p = file('cut.maze', `${['S #  ', '  #  ', '  #  ', '  #  ', '  # G'].join('\n')}\n`);
    expect(refused(MAZE, p)).toBe(`${p}: the goal cannot be reached from the start, so there is no path to score against`);
  });
  it("a drawn path that is not a shortest one", () => {
    // S to G is 2 moves straight down; the drawn path goes round the wall in 6.
    const p = file('long.maze', `${['Soo  ', ' #o  ', 'Goo  ', '     ', '     '].join('\n')}\n`);
    expect(refused(MAZE, p)).toBe(`${p}: the 'o' cells (5) are not one shortest path from S to G (2 moves, so 1 'o' cells)`);
  });
  it('an empty file', () => {
    const p = file('e.maze', '');
    expect(refused(MAZE, p)).toBe(`${p}: line 1: empty; a maze needs at least one cell (the file holds no maze)`);
  });
  it('valid: a byte-order mark and CRLF', () => {
    const p = file('ok.maze', Buffer.from(`\uFEFF${UNIQUE.join('\r\n')}\r\n`));
    expect(evaluated(MAZE, p)).toMatch(/examples\s+1\n/);
  });
});

describe('eval --data: ARC folders and Kaggle files (6×6-canvas checkpoint)', () => {
  it('a challenges file without its solutions names the file, the tasks and the solutions file', () => {
    const ch = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`t${i}`, JSON.parse(task(i, 2, false))]));
    const p = file('arc_challenges.json', JSON.stringify(ch));
    expect(refused(ARC, p)).toMatch(new RegExp(`^${p}: 1 held-out task without test outputs \\(t\\d\\); there is nothing to score it against: put its solutions file arc_solutions\\.json beside it$`));
  });
  it('a grid larger than the canvas names the file, task, pair and both shapes', () => {
    const dir = folder({ ...SIX, 't5.json': task(5, 7) });
    expect(refused(ARC, dir)).toBe(`${join(dir, 't5.json')}: task t5, train pair 0: input 7x7 does not fit the 6x6 canvas`);
  });
  it('the same task in training/ and evaluation/ names both files', () => {
    const dir = folder({ 'training/t0.json': task(0), 'training/t1.json': task(1), 'evaluation/t1.json': task(1) });
    expect(refused(ARC, dir)).toBe(`${join(dir, 'evaluation', 't1.json')}: task t1 is also a training task (${join(dir, 'training', 't1.json')}); a task in both splits would be scored on what it trained on`);
  });
  it('an empty folder', () => {
    const dir = folder({});
    expect(refused(ARC, dir)).toBe(`${dir}: no .json task files (expected ARC task JSON or Kaggle combined files)`);
  });
  it('a Kaggle file with no tasks', () => {
    const p = file('k_challenges.json', '{}');
    expect(refused(ARC, p)).toBe(`${p}: no tasks`);
  });
  it('JSON nested 100,000 deep', () => {
    const dir = folder({ ...SIX, 't5.json': '['.repeat(100_000) + ']'.repeat(100_000) });
    expect(refused(ARC, dir)).toBe(`${join(dir, 't5.json')}: task t5: expected an object {train, test}, got a list`);
  });
  it('a 5 MB task id and a 5 MB cell value are quoted short', () => {
    const id = file('id_challenges.json', JSON.stringify({ ['z'.repeat(5_000_000)]: JSON.parse(task(1)) }));
    expect(refused(ARC, id)).toMatch(/: task "z{40}…" \(5000000 characters\): a task id must be 1\.\.255 characters, this one has 5000000$/);
    const cell = folder({ ...SIX, 't5.json': JSON.stringify({ train: [{ input: [['q'.repeat(5_000_000)]], output: [[1]] }], test: [{ input: [[1]] }] }) });
    expect(refused(ARC, cell)).toMatch(/t5\.json: task t5, train pair 0, input row 0 col 0: value "q{40}…" \(5000000 characters\) is not an integer 0\.\.9$/);
  });
  it('a folder named x.json among the task files', () => {
    const dir = folder({ ...SIX, 'x.json/inner': '' });
    expect(refused(ARC, dir)).toBe(`${join(dir, 'x.json')}: is a folder, not a file`);
  });
  it('tasks other than the ones the checkpoint learned embeddings for', () => {
    const dir = folder({ ...SIX, 't6.json': task(6) });
    // Ids: one per task version plus the shared blank id 0.
    expect(refused(ARC, dir)).toBe(`--data ${dir}: these tasks make 8 puzzle ids, but the checkpoint learned embeddings for 7; pass the tasks it trained on (the same files and seed), or its dataset's identifiers.json with --identifiers`);
  });
  it('valid: the training tasks as upper-case .JSON with byte-order marks', () => {
    const dir = folder(Object.fromEntries(Object.entries(SIX).map(([name, text]) => [name.replace('.json', '.JSON'), `\uFEFF${text}`])));
    expect(evaluated(ARC, dir)).toMatch(/pass@1 \/ pass@2 .* over 1 tasks/);
  });
});

describe('train --arc-dir: the same checks before anything is written', () => {
  it('a task in both splits is refused and the run folder is never made', () => {
    const dir = folder({ 'training/t0.json': task(0), 'training/t1.json': task(1), 'evaluation/t1.json': task(1) });
    const out = join(root, 'never-made');
    const r = runCli('train', ['--preset', 'mini-arc', '--arc-dir', dir, ...tiny, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`[trm] error: ${join(dir, 'evaluation', 't1.json')}: task t1 is also a training task (${join(dir, 'training', 't1.json')}); a task in both splits would be scored on what it trained on`);
    expect(existsSync(out)).toBe(false);
  });
  it('a challenges file whose held-out tasks have no outputs is refused naming it', () => {
    const ch = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`c${i}`, JSON.parse(task(i, 2, false))]));
    const p = file('c_challenges.json', JSON.stringify(ch));
    const out = join(root, 'never-made-2');
    const r = runCli('train', ['--preset', 'mini-arc', '--arc-dir', p, ...tiny, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^\\[trm\\] error: ${p}: 1 held-out task without test outputs \\(c\\d\\);`));
    expect(existsSync(out)).toBe(false);
  });
});
