// Hostile and malformed ARC JSON through the pure parsers: every refusal names the file (and task, pair, field)
// and the problem in one short line; valid files with a byte-order mark or an upper-case .JSON still load.
import { describe, expect, it } from 'vitest';
import { parseArcFiles, parseKaggleCombined, parseTaskFile } from '../../src/data/arc-json';
import { refusal } from '../helpers/user-message';

const ok = [[1, 2], [3, 4]];
const task = (extra: object = {}) => ({ train: [{ input: ok, output: ok }], test: [{ input: ok, output: ok }], ...extra });
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const huge = 'x'.repeat(5_000_000);

describe('ARC JSON: bad files are refused with a short message naming file and problem', () => {
  it('an empty file, or one of whitespace only', () => {
    expect(refusal(() => parseTaskFile({ name: 'empty.json', text: '' }))).toBe('empty.json: empty file (expected ARC task JSON or a Kaggle combined file)');
    expect(refusal(() => parseArcFiles([{ name: 'blank.json', text: '\uFEFF \n\t' }]))).toBe('blank.json: empty file (expected ARC task JSON or a Kaggle combined file)');
  });

  it('a Kaggle combined file with no tasks', () => {
    expect(refusal(() => parseKaggleCombined({ name: 'x_challenges.json', text: '{}' }))).toBe('x_challenges.json: no tasks');
  });

  it('JSON nested 100,000 deep, as the whole file and as a cell', () => {
    expect(refusal(() => parseTaskFile({ name: 'deep.json', text: deep(100_000) }))).toBe('deep.json: task deep: expected an object {train, test}, got a list');
    const text = `{"train":[{"input":[[${deep(100_000)}]],"output":[[1]]}],"test":[{"input":[[1]]}]}`;
    expect(refusal(() => parseTaskFile({ name: 'cell.json', text }))).toBe('cell.json: task cell, train pair 0, input row 0 col 0: value a list of 1 is not an integer 0..9');
  });

  it('a 5 MB task id in a Kaggle file is quoted short, not echoed', () => {
    const m = refusal(() => parseKaggleCombined({ name: 'k_challenges.json', text: JSON.stringify({ [huge]: task() }) }));
    expect(m).toMatch(/^k_challenges\.json: task "x{40}…" \(5000000 characters\): a task id must be 1\.\.255 characters, this one has 5000000$/);
  });

  it('a 5 MB string as a cell value, and as a whole task', () => {
    const cell = refusal(() => parseTaskFile({ name: 'c.json', text: JSON.stringify(task({ test: [{ input: [[1, huge]] }] })) }));
    expect(cell).toMatch(/^c\.json: task c, test pair 0, input row 0 col 1: value "x{40}…" \(5000000 characters\) is not an integer 0\.\.9$/);
    const whole = refusal(() => parseKaggleCombined({ name: 'w_challenges.json', text: JSON.stringify({ t1: huge }) }));
    expect(whole).toMatch(/^w_challenges\.json: task t1: expected an object \{train, test\}, got string "x{40}…" \(5000000 characters\)$/);
  });

  it('5 MB of garbage is invalid JSON without being echoed', () => {
    const m = refusal(() => parseTaskFile({ name: 'junk.json', text: huge }));
    expect(m).toMatch(/^junk\.json: invalid JSON \(.+\)$/);
    expect(m).not.toContain('x'.repeat(50));
  });

  it('an empty task id (key "") is refused', () => {
    expect(refusal(() => parseKaggleCombined({ name: 'e_challenges.json', text: JSON.stringify({ '': task() }) }))).toBe(
      'e_challenges.json: task "": a task id must be 1..255 characters, this one has 0',
    );
  });

  it('a task named "constructor" without solutions is missing, not Object.prototype\'s', () => {
    const ch = { name: 'p_challenges.json', text: JSON.stringify({ constructor: task({ test: [{ input: ok }] }) }) };
    expect(refusal(() => parseKaggleCombined(ch, { name: 'p_solutions.json', text: JSON.stringify({}) }))).toBe(
      'p_solutions.json: task constructor: missing (no solutions for this task)',
    );
  });

  it('a task named "__proto__" loads as an ordinary task and pollutes nothing', () => {
    const text = `{"__proto__": ${JSON.stringify(task({ test: [{ input: ok }] }))}}`;
    const tasks = parseKaggleCombined({ name: 'q_challenges.json', text }, { name: 'q_solutions.json', text: `{"__proto__": [${JSON.stringify(ok)}]}` });
    expect(tasks.map((t) => t.id)).toEqual(['__proto__']);
    expect(tasks[0].test[0].output?.cells).toEqual(Uint8Array.from([1, 2, 3, 4]));
    expect(({} as Record<string, unknown>).train).toBeUndefined();
  });

  it('the same task id from two files names both files', () => {
    const files = [
      { name: 'a/t1.json', text: JSON.stringify(task()) },
      { name: 'b_challenges.json', text: JSON.stringify({ t1: task() }) },
    ];
    expect(refusal(() => parseArcFiles(files))).toBe('b_challenges.json: task t1 also comes from a/t1.json (task ids must be unique)');
  });
});

describe('ARC JSON: valid files in the forms editors and OSes write them still load', () => {
  it('a UTF-8 byte-order mark, in a task file and in Kaggle combined files', () => {
    const t = parseTaskFile({ name: 'bom.json', text: '\uFEFF' + JSON.stringify(task()) });
    expect(t.id).toBe('bom');
    const tasks = parseKaggleCombined(
      { name: 'z_challenges.json', text: '\uFEFF' + JSON.stringify({ t9: task({ test: [{ input: ok }] }) }) },
      { name: 'z_solutions.json', text: '\uFEFF' + JSON.stringify({ t9: [ok] }) },
    );
    expect(tasks[0].test[0].output).toBeDefined();
  });

  it('an upper-case .JSON extension: picked up, and the id is the name without it', () => {
    const tasks = parseArcFiles([
      { name: 'dir/ABC123.JSON', text: JSON.stringify(task()) },
      { name: 'dir/readme.txt', text: 'not a task' },
    ]);
    expect(tasks.map((t) => t.id)).toEqual(['ABC123']);
  });
});

describe('ARC JSON: a file that is no object is blamed as what its name says it is', () => {
  const ch = { name: 'k_challenges.json', text: JSON.stringify({ t1: task({ test: [{ input: ok }] }) }) };
  it.each([
    ['a task file', 't.json', 't.json: task t: expected an object {train, test}, got a list'],
    ['a challenges file', 'x_challenges.json', 'x_challenges.json: expected an object {taskId: {train, test}}, got a list'],
    ['a solutions file', 'k_solutions.json', 'k_solutions.json: expected an object {taskId: [grid, ...]}, got a list'],
  ])('%s', (_, name, message) => {
    expect(refusal(() => parseArcFiles([...(name === 'k_solutions.json' ? [ch] : []), { name, text: '[[1]]' }]))).toBe(message);
  });
});
