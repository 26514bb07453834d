// ARC tasks read from disk (the CLI's --arc-dir and eval's --data): missing and unreadable paths, empty folders,
// folders named like files, a task in both splits, held-out tasks without outputs. Every refusal names the path
// and the problem in one short line; .JSON, a byte-order mark and a Kaggle pair still load.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArcTasksFromDisk } from '../../src/cli/node-env';
import { refusal } from '../helpers/user-message';

const ok = [[1, 2], [3, 4]];
const task = (withOutput = true) => ({ train: [{ input: ok, output: ok }], test: [withOutput ? { input: ok, output: ok } : { input: ok }] });

/** A fresh folder holding `files` (path → JSON value or raw text). */
function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'trm-arc-'));
  for (const [rel, v] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), typeof v === 'string' ? v : JSON.stringify(v));
  }
  return dir;
}

describe('ARC from disk: bad paths and folders are refused naming the path', () => {
  it('a path that does not exist', () => {
    const dir = folder({});
    expect(refusal(() => loadArcTasksFromDisk(join(dir, 'nope'), 0))).toBe(`${join(dir, 'nope')}: no such file or folder`);
  });

  it('an empty folder', () => {
    const dir = folder({});
    expect(refusal(() => loadArcTasksFromDisk(dir, 0))).toBe(`${dir}: no .json task files (expected ARC task JSON or Kaggle combined files)`);
  });

  it('a folder named x.json among the task files', () => {
    const dir = folder({ 'a.json': task() });
    mkdirSync(join(dir, 'x.json'));
    expect(refusal(() => loadArcTasksFromDisk(dir, 0))).toBe(`${join(dir, 'x.json')}: is a folder, not a file`);
  });

  it('a task file that is a dangling link', () => {
    const dir = folder({ 'a.json': task() });
    symlinkSync(join(dir, 'gone.json'), join(dir, 'b.json'));
    expect(refusal(() => loadArcTasksFromDisk(dir, 0))).toBe(`${join(dir, 'b.json')}: no such file or folder`);
  });

  it('a single file that is not JSON', () => {
    const dir = folder({ 'tasks.txt': 'hello' });
    expect(refusal(() => loadArcTasksFromDisk(join(dir, 'tasks.txt'), 0))).toBe(`${join(dir, 'tasks.txt')}: not a .json file (expected ARC task JSON or a Kaggle combined file)`);
  });

  it('an empty evaluation/ beside training/', () => {
    const dir = folder({ 'training/a.json': task() });
    mkdirSync(join(dir, 'evaluation'));
    expect(refusal(() => loadArcTasksFromDisk(dir, 0))).toMatch(/evaluation: no \.json task files/);
  });

  it('the same task id in training/ and evaluation/ names both files', () => {
    const dir = folder({ 'training/t1.json': task(), 'training/t2.json': task(), 'evaluation/t1.json': task() });
    expect(refusal(() => loadArcTasksFromDisk(dir, 0))).toBe(
      `${join(dir, 'evaluation', 't1.json')}: task t1 is also a training task (${join(dir, 'training', 't1.json')}); a task in both splits would be scored on what it trained on`,
    );
  });

  it('a Kaggle file with no tasks', () => {
    const dir = folder({ 'x_challenges.json': {} });
    expect(refusal(() => loadArcTasksFromDisk(join(dir, 'x_challenges.json'), 0))).toBe(`${join(dir, 'x_challenges.json')}: no tasks`);
  });
});

describe('ARC from disk: held-out tasks need their test outputs', () => {
  const challenges = { a1: task(false), a2: task(false), a3: task(false), a4: task(false), a5: task(false) };

  it("a challenges file without its solutions: eval ('every') names the file, tasks and the solutions file", () => {
    const dir = folder({ 'k_challenges.json': challenges });
    const m = refusal(() => loadArcTasksFromDisk(join(dir, 'k_challenges.json'), 0, 'every'));
    expect(m).toMatch(new RegExp(`^${join(dir, 'k_challenges.json')}: 1 held-out task without test outputs \\(a\\d\\); there is nothing to score it against: put its solutions file k_solutions\\.json beside it$`));
  });

  it("training ('some') is refused too when no held-out task can be scored", () => {
    const dir = folder({ 'k_challenges.json': challenges });
    expect(refusal(() => loadArcTasksFromDisk(join(dir, 'k_challenges.json'), 0))).toMatch(/k_challenges\.json: 1 held-out task without test outputs/);
  });

  it('per-task files without outputs in evaluation/ are listed, a few by name', () => {
    const dir = folder({ 'training/t.json': task(), 'evaluation/e1.json': task(false), 'evaluation/e2.json': task(), 'evaluation/e3.json': task(false) });
    const m = refusal(() => loadArcTasksFromDisk(dir, 0, 'every'));
    expect(m).toBe(`${join(dir, 'evaluation', 'e1.json')}: 1 held-out task without test outputs (e1), and 1 more in other files; there is nothing to score them against: add the test outputs to the task files`);
    // Training scores what it can: e2 has its outputs.
    expect(loadArcTasksFromDisk(dir, 0).eval.map((t) => t.id)).toEqual(['e1', 'e2', 'e3']);
  });
});

describe('ARC from disk: valid data in the forms it comes in loads', () => {
  it('a challenges file brings its solutions file from beside it', () => {
    const dir = folder({ 'k_challenges.json': { a1: task(false), a2: task(false) }, 'k_solutions.json': { a1: [ok], a2: [ok] } });
    const split = loadArcTasksFromDisk(join(dir, 'k_challenges.json'), 0, 'every');
    expect([...split.train, ...split.eval].every((t) => t.test.every((p) => p.output))).toBe(true);
    expect(split.fileOf.get('a1')).toBe(join(dir, 'k_challenges.json'));
  });

  it('upper-case .JSON files with byte-order marks, in training/ and evaluation/', () => {
    const dir = folder({ 'training/T1.JSON': '\uFEFF' + JSON.stringify(task()), 'evaluation/E1.Json': '\uFEFF' + JSON.stringify(task()) });
    const split = loadArcTasksFromDisk(dir, 0, 'every');
    expect(split.train.map((t) => t.id)).toEqual(['T1']);
    expect(split.eval.map((t) => t.id)).toEqual(['E1']);
  });
});
