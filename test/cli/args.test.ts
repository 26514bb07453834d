import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverrides, choiceFlag, intFlag, parseArgs, parseInteger } from '../../src/cli/args';
import { getPreset, isPresetName } from '../../src/trm/presets';
import { runCli } from '../helpers/cli';
import { expectUserMessage, refusal } from '../helpers/user-message';

const KNOWN = ['preset', 'steps', 'out', 'resume', 'backend', 'report-every', 'arc-dir', 'seed'];

const flags = (argv: string[]) => parseArgs(argv, KNOWN).flags;

describe('CLI flags', () => {
  it('reads --name value, --name=value and overrides; a value may start with "-" but not "--"', () => {
    const p = parseArgs(['--preset', 'maze', '--steps=20', '--model.hidden', '32', '--evalEvery', '5', '--out=--odd', '--seed', '-1'], KNOWN);
    expect([...p.flags]).toEqual([['preset', 'maze'], ['steps', '20'], ['out', '--odd'], ['seed', '-1']]);
    expect(p.overrides).toEqual([['model.hidden', '32'], ['evalEvery', '5']]);
  });

  it.each([
    [['--out'], '--out needs a value'],
    [['--out', '--steps', '5'], '--out needs a value (got the flag "--steps" instead)'],
    [['--model.hidden'], '--model.hidden needs a value'],
    [['--steps='], '--steps needs a value, got an empty one'],
    [['--out', ''], '--out needs a value, got an empty one'],
    [['--steps', '5', '--steps', '6'], '--steps is given twice; give it once'],
    [['preset'], 'unexpected argument "preset" (flags look like --name value)'],
    [['--'], 'unexpected argument "--"'],
    [['--constructor', '1'], 'unknown flag --constructor; known: --preset'],
    [['--toString', 'x'], 'unknown flag --toString'],
    [['--hasOwnProperty'], 'unknown flag --hasOwnProperty'],
  ])('%j is refused: %s', (argv, expected) => {
    const msg = refusal(() => parseArgs(argv, KNOWN));
    expect(msg.startsWith(expected)).toBe(true);
  });

  it('a megabyte flag name is quoted short', () => {
    expectUserMessage(refusal(() => parseArgs([`--${'x'.repeat(1_000_000)}`, '1'], KNOWN)), /^unknown flag --"x{40}…" \(1000000 characters\); known:/);
    expectUserMessage(refusal(() => parseArgs([`--model.${'x'.repeat(1_000_000)}`], KNOWN)), /^--"model\.x{34}…" \(1000006 characters\) needs a value$/);
  });

  it('a flag with no value is never read as "true" or as a path', () => {
    expectUserMessage(refusal(() => parseArgs(['--resume'], KNOWN)), /^--resume needs a value$/);
    expectUserMessage(refusal(() => parseArgs(['--arc-dir', '--preset', 'mini-arc'], KNOWN)), /^--arc-dir needs a value \(got the flag "--preset" instead\)$/);
  });

  it.each([
    ['steps', 'abc', { min: 1 }, '--steps: "abc" is not a number (allowed: an integer ≥ 1)'],
    ['steps', '1.5', { min: 1 }, '--steps: "1.5" is not an integer ≥ 1'],
    ['steps', '0', { min: 1 }, '--steps: "0" is not an integer ≥ 1'],
    ['steps', '0x10', { min: 1 }, '--steps: "0x10" is not a number (allowed: an integer ≥ 1)'],
    ['steps', '1e400', { min: 1 }, '--steps: "1e400" is not a number'],
    ['steps', 'Infinity', { min: 1 }, '--steps: "Infinity" is not a number'],
    ['steps', ' 5', { min: 1 }, '--steps: " 5" is not a number'],
    ['steps', '1e20', { min: 1 }, '--steps: "1e20" is not an integer ≥ 1'],
    ['n', '-5', { min: 1, max: 1000 }, '--n: "-5" is not an integer from 1 to 1000'],
    ['n', 'abc', { min: 1, max: 1000 }, '--n: "abc" is not a number (allowed: an integer from 1 to 1000)'],
    ['seed', '-1', { min: 0, max: 0xffffffff }, '--seed: "-1" is not an integer from 0 to 4294967295'],
    ['report-every', 'abc', { min: 1 }, '--report-every: "abc" is not a number (allowed: an integer ≥ 1)'],
  ])('--%s %j is refused naming the flag and the range', (name, value, range, expected) => {
    const msg = refusal(() => intFlag(new Map([[name, value]]), name, range));
    expect(msg.startsWith(expected), msg).toBe(true);
  });

  it('strict numbers still accept what a person writes for a count', () => {
    expect(intFlag(flags(['--steps', '2000']), 'steps', { min: 1 })).toBe(2000);
    expect(intFlag(flags(['--steps', '1e3']), 'steps', { min: 1 })).toBe(1000);
    expect(intFlag(flags(['--seed', '0']), 'seed', { min: 0 })).toBe(0);
    expect(intFlag(flags([]), 'steps', { min: 1 })).toBeUndefined();
    expect(parseInteger('+7', '--n', { min: 1 })).toBe(7);
  });

  it('--backend takes only its choices', () => {
    expect(choiceFlag(flags([]), 'backend', ['gpu', 'cpu'], 'gpu')).toBe('gpu');
    expect(choiceFlag(flags(['--backend', 'cpu']), 'backend', ['gpu', 'cpu'], 'gpu')).toBe('cpu');
    expectUserMessage(refusal(() => choiceFlag(flags(['--backend', 'tpu']), 'backend', ['gpu', 'cpu'], 'gpu')), /^--backend: "tpu" is not one of gpu, cpu$/);
    expectUserMessage(refusal(() => choiceFlag(flags(['--backend', 'constructor']), 'backend', ['gpu', 'cpu'], 'gpu')), /^--backend: "constructor" is not one of gpu, cpu$/);
  });
});

describe('presets', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])('%s is not a preset', (name) => {
    expect(isPresetName(name)).toBe(false);
    expectUserMessage(refusal(() => getPreset(name)), `unknown preset "${name}"; choose one of: paper-sudoku-extreme-mlp`);
  });

  it('a long name is quoted short', () => {
    const msg = refusal(() => getPreset('x'.repeat(1_000_000)));
    expectUserMessage(msg, /unknown preset "x{40}…" \(1000000 characters\)/);
  });
});

describe('config overrides', () => {
  const base = getPreset('sudoku-4x4');
  const over = (path: string, value: string) => applyOverrides(base, [[path, value]]);

  it('keeps each field type', () => {
    const cfg = applyOverrides(base, [['model.hidden', '48'], ['optim.lr', '2e-3'], ['data.augment', 'false'], ['evalEvery', '7']]);
    expect([cfg.model.hidden, cfg.optim.lr, cfg.data.kind === 'sudoku' && cfg.data.augment, cfg.evalEvery]).toEqual([48, 0.002, false, 7]);
    const arc = applyOverrides(getPreset('arc-procedural'), [['data.families', 'dihedral, gravity,']]);
    expect(arc.data.kind === 'arc-procedural' && arc.data.families).toEqual(['dihedral', 'gravity']);
    const maze = applyOverrides(base, [['data.size', '10'], ['data.kind', 'maze']]);
    expect(maze.data).toMatchObject({ kind: 'maze', size: 10 });
    expect(base.model.hidden).toBe(32);
  });

  it.each([
    ['model.hidden', 'abc', '--model.hidden: "abc" is not a number (allowed: a decimal number such as 32 or 0.001)'],
    ['optim.lr', '0x10', '--optim.lr: "0x10" is not a number'],
    ['optim.lr', '1e400', '--optim.lr: "1e400" is not a number'],
    ['optim.lr', '', '--optim.lr: "" is not a number'],
    ['data.augment', 'yes', '--data.augment: "yes" is not true or false'],
    ['model.toString', '3', '--model.toString: no such config field (model has: variant, hidden,'],
    ['model.constructor', '3', '--model.constructor: no such config field'],
    ['__proto__.polluted', '1', '--__proto__.polluted: "__proto__" is not a config section (sections: model, optim, data)'],
    ['constructor.prototype.polluted', '1', '--constructor.prototype.polluted: "constructor" is not a config section'],
    ['model.__proto__.polluted', '1', '--model.__proto__.polluted: "__proto__" is not a config section'],
    ['model.hidden.x', '1', '--model.hidden.x: "hidden" is not a config section'],
    ['toString', '1', '--toString: no such config field (have: model, optim, data, steps'],
    ['model', '3', '--model: is a config section, not a field; set its fields, e.g. --model.variant'],
    ['data.kind', 'constructor', '--data.kind: "constructor" is not one of sudoku, maze, arc-procedural, arc'],
    ['data.minPathLength', '3', '--data.minPathLength: no such config field (data has: kind, size, difficulty'],
  ])('--%s %j is refused', (path, value, expected) => {
    const msg = refusal(() => over(path, value));
    expect(msg.startsWith(expected)).toBe(true);
  });

  it('no flag or override ever changes Object.prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const toString = Object.prototype.toString;
    const attempts: [string, string][] = [
      ['__proto__.polluted', '1'], ['constructor.prototype.polluted', '1'], ['model.__proto__.polluted', '1'],
      ['model.toString', '3'], ['__proto__.toString', '3'], ['data.__proto__.kind', 'x'], ['data.kind', '__proto__'],
    ];
    for (const a of attempts) expect(() => applyOverrides(base, [a])).toThrow();
    for (const argv of [['--__proto__', '1'], ['--constructor', 'x'], ['--__proto__.polluted', '1']]) {
      try {
        applyOverrides(base, parseArgs(argv, KNOWN).overrides);
      } catch {
        // refused: what matters is that nothing leaked
      }
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(Object.prototype.toString).toBe(toString);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the CLI binaries refuse bad input before any engine, data or file', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'trm-args-'));
  const opts = { cwd, timeout: 60_000 };

  it.each([
    [['--preset', 'constructor'], 'unknown preset "constructor"'],
    [['--preset', 'sudoku-4x4', '--steps', 'abc'], '--steps: "abc" is not a number (allowed: an integer from 1 to 1000000000)'],
    [['--preset', 'sudoku-4x4', '--out'], '--out needs a value'],
    [['--preset', 'sudoku-4x4', '--backend', 'tpu'], '--backend: "tpu" is not one of gpu, cpu'],
    [['--preset', 'sudoku-4x4', '--model.toString', '3'], '--model.toString: no such config field'],
    [['--preset', 'sudoku-4x4', '--data.trainPuzzles', '1000000000000'], 'config: data.trainPuzzles: must be an integer in [1, 1000000], got 1000000000000'],
    [['--preset', 'maze', '--data.size', '1000'], 'config: data.size: must be an integer in [2, 30], got 1000'],
    [
      ['--preset', 'paper-maze-hard-att', '--optim.batchSize', '65536', '--model.hidden', '4096', '--model.heads', '64', '--model.layers', '16', '--model.n', '64'],
      /config: optim\.batchSize: needs 17 PB \(16 534 322 497 555 712 bytes\) on any WebGPU device, over 275 GB \(274 877 906 944 bytes\)/,
    ],
  ])('train %j exits 1 naming the problem, creating no run folder', (args, expected) => {
    const r = runCli('train', [...args, '--out', 'run'], opts);
    expect(r.code).toBe(1);
    expectUserMessage(r.stderr.trim(), expected);
    expect(r.stderr.trim()).not.toMatch(/WebGPU: |adapter/);
    expect(existsSync(join(cwd, 'run'))).toBe(false);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a terabyte config is refused for the CPU twin too, with its RAM as the budget', () => {
    const r = runCli('train', ['--preset', 'sudoku-9x9-small', '--backend', 'cpu', '--optim.batchSize', '65536', '--model.hidden', '4096', '--model.n', '64'], opts);
    expect(r.code).toBe(1);
    expectUserMessage(r.stderr.trim(), /config: optim\.batchSize: needs [\d.]+ [TP]B \([\d ]+ bytes\) on the CPU twin, over [\d.]+ GB \([\d ]+ bytes\) \(free RAM\)/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each([
    [['--checkpoint'], '--checkpoint needs a value'],
    [['--checkpoint', 'x.safetensors', '--n', '-5'], '--n: "-5" is not an integer from 1 to 1000000'],
    [['--checkpoint', 'x.safetensors', '--n', 'abc'], '--n: "abc" is not a number (allowed: an integer from 1 to 1000000)'],
    [['--checkpoint', 'x.safetensors', '--model.hidden', '8'], '--model.hidden: eval takes overrides of data fields only'],
  ])('eval %j exits 1 naming the flag before reading the checkpoint', (args, expected) => {
    const r = runCli('eval', args, opts);
    expect(r.code).toBe(1);
    expectUserMessage(r.stderr.trim(), expected);
    expect(r.stderr.trim()).not.toMatch(/x\.safetensors/);
  });
});
