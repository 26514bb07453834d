import { describe, expect, it } from 'vitest';
import { getConfigField, setConfigField } from '../../src/state/config-edit';
import { ConfigError, MAX_PUZZLES, type ConfigIssue, type TrainConfig } from '../../src/trm/config';
import { MAX_CONFIG_ISSUES, parseTrainConfig } from '../../src/trm/config-parse';
import { PRESET_NAMES, getPreset } from '../../src/trm/presets';
import { thrown } from '../helpers/user-message';

/** The config as JSON would carry it, with `edit` applied to the plain object. */
function json(preset: string, edit: (c: Record<string, any>) => void = () => {}): unknown {
  const c = JSON.parse(JSON.stringify(getPreset(preset))) as Record<string, any>;
  edit(c);
  return c;
}

/** The ConfigError `parseTrainConfig` throws for `value`: its issues and the one line a user sees. */
function refused(value: unknown, where = 'run.json'): { issues: ConfigIssue[]; msg: string } {
  const { issues, message: msg } = thrown(() => parseTrainConfig(value, where), ConfigError);
  expect(msg.startsWith(`${where}: `)).toBe(true);
  return { issues, msg };
}

describe('parseTrainConfig: structure', () => {
  it('accepts every preset as JSON carries it and returns only the known fields', () => {
    for (const name of PRESET_NAMES) expect(parseTrainConfig(json(name), name)).toEqual(getPreset(name));
  });

  it.each([
    ['null', null, 'run.json: config: must be an object, got null'],
    ['a list', [1, 2], 'run.json: config: must be an object, got a list of 2'],
    ['a string', 'sudoku', 'run.json: config: must be an object, got "sudoku"'],
  ])('refuses %s as a config', (_, value, expected) => {
    expect(refused(value).msg).toBe(expected);
  });

  it('names every missing, unknown and wrong-typed field by its dotted path, in one error', () => {
    const { issues, msg } = refused(json('sudoku-4x4', (c) => {
      delete c.optim.lr;
      c.model.hidden = '32';
      c.model.variant = 'transformer';
      c.data.augment = 'yes';
      c.extra = 1;
      c.model.depth = 2;
      delete c.steps;
    }));
    expect(issues).toEqual([
      { field: 'extra', message: 'unknown field' },
      { field: 'model.depth', message: 'unknown field' },
      { field: 'model.variant', message: 'must be one of "attention", "mlp", got "transformer"' },
      { field: 'model.hidden', message: 'must be a number, got "32"' },
      { field: 'optim.lr', message: 'missing (a number)' },
      { field: 'data.augment', message: 'must be a boolean, got "yes"' },
      { field: 'steps', message: 'missing (a number)' },
    ]);
    expect(msg).toMatch(/^run\.json: extra: unknown field; model\.depth: unknown field; .* \(and 1 more\)$/);
  });

  it('a missing or non-object section is named', () => {
    expect(refused(json('maze', (c) => delete c.model)).issues).toEqual([{ field: 'model', message: 'missing (an object)' }]);
    expect(refused(json('maze', (c) => (c.optim = [1]))).issues).toEqual([{ field: 'optim', message: 'must be an object, got a list of 1' }]);
    expect(refused(json('maze', (c) => (c.data = { kind: 'chess' }))).issues).toEqual([{ field: 'data.kind', message: 'must be one of sudoku, maze, arc-procedural, arc, got "chess"' }]);
  });

  it('prototype names are unknown fields and never followed', () => {
    const hostile = JSON.parse(JSON.stringify(getPreset('maze')).replace('{', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"toString":3,'));
    const { issues } = refused(hostile);
    expect(issues).toEqual([
      { field: '__proto__', message: 'unknown field' },
      { field: 'constructor', message: 'unknown field' },
      { field: 'toString', message: 'unknown field' },
    ]);
    // A data kind named after a prototype property is not a kind, and a model without its own fields is incomplete.
    expect(refused(json('maze', (c) => (c.data.kind = 'constructor'))).issues[0]).toEqual({ field: 'data.kind', message: 'must be one of sudoku, maze, arc-procedural, arc, got "constructor"' });
    const bare = json('maze', (c) => (c.model = Object.create({ hidden: 64 })));
    expect(refused(bare).issues.map((i) => i.field)).toContain('model.hidden');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('wrong-typed lists are named', () => {
    expect(refused(json('arc-procedural', (c) => (c.data.families = [1, 'dihedral']))).issues).toEqual([{ field: 'data.families', message: 'must be a list of strings, got a list of 2' }]);
    expect(refused(json('arc-procedural', (c) => (c.data.families = 'dihedral'))).issues).toEqual([{ field: 'data.families', message: 'must be a list of strings, got "dihedral"' }]);
  });

  it('100,000 unknown keys give a bounded list and a count', () => {
    const c = json('sudoku-4x4') as Record<string, unknown>;
    for (let i = 0; i < 100_000; i++) c[`k${i}`] = i;
    const { issues, msg } = refused(c);
    expect(issues).toHaveLength(MAX_CONFIG_ISSUES + 1);
    expect(issues[MAX_CONFIG_ISSUES]).toEqual({ field: 'config', message: `and ${100_000 - MAX_CONFIG_ISSUES} more problems` });
    expect(msg).toMatch(/^run\.json: k0: unknown field; k1: unknown field; .* \(and 15 more\)$/);
  });

  it('a multi-megabyte key or value is quoted short', () => {
    const big = 'x'.repeat(5_000_000);
    const { issues, msg } = refused(json('sudoku-4x4', (c) => {
      c.model.variant = big;
      c[big] = 1;
    }));
    expect(issues[0].field).toBe('"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (5000000 characters)');
    expect(issues[1]).toEqual({ field: 'model.variant', message: 'must be one of "attention", "mlp", got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (5000000 characters)' });
    expect(msg.length).toBeLessThan(500);
  });
});

describe('parseTrainConfig: ranges, data section included', () => {
  const only = (value: unknown) => refused(value).issues;

  it.each([
    ['sudoku size 5', 'sudoku-4x4', (c: any) => (c.data.size = 5), { field: 'data.size', message: 'must be 4, 6 or 9 (the Sudoku sizes with boxes), got 5' }],
    ['sudoku difficulty 0 (nothing to solve)', 'sudoku-4x4', (c: any) => (c.data.difficulty = 0), { field: 'data.difficulty', message: 'must be a number in (0, 1], got 0' }],
    ['sudoku difficulty 2', 'sudoku-4x4', (c: any) => (c.data.difficulty = 2), { field: 'data.difficulty', message: 'must be a number in (0, 1], got 2' }],
    ['10^12 training puzzles', 'sudoku-4x4', (c: any) => (c.data.trainPuzzles = 1e12), { field: 'data.trainPuzzles', message: `must be an integer in [1, ${MAX_PUZZLES}], got 1000000000000` }],
    ['fractional test puzzles', 'sudoku-4x4', (c: any) => (c.data.testPuzzles = 2.5), { field: 'data.testPuzzles', message: `must be an integer in [1, ${MAX_PUZZLES}], got 2.5` }],
    ['maze side 1000', 'maze', (c: any) => (c.data.size = 1000), { field: 'data.size', message: 'must be an integer in [2, 30], got 1000' }],
    ['maze side 1', 'maze', (c: any) => (c.data.size = 1), { field: 'data.size', message: 'must be an integer in [2, 30], got 1' }],
    ['a path longer than the maze holds', 'maze', (c: any) => (c.data.minPathLength = 64), { field: 'data.minPathLength', message: 'must be an integer in [0, 63], got 64' }],
    ['no test mazes', 'maze', (c: any) => (c.data.testMazes = 0), { field: 'data.testMazes', message: `must be an integer in [1, ${MAX_PUZZLES}], got 0` }],
    ['an unknown family', 'arc-procedural', (c: any) => (c.data.families = ['dihedral', 'chess']), { field: 'data.families', message: expect.stringMatching(/^unknown family "chess"; known: dihedral, recolour,/) }],
    ['a family too big for maxSide', 'arc-procedural', (c: any) => Object.assign(c.data, { families: ['scale'], maxSide: 3 }), { field: 'data.maxSide', message: 'scale needs ≥ 4; got 3' }],
    ['procedural difficulty -1', 'arc-procedural', (c: any) => (c.data.difficulty = -1), { field: 'data.difficulty', message: 'must be a number in [0, 1], got -1' }],
    ['10^12 tasks', 'arc-procedural', (c: any) => (c.data.tasks = 1e12), { field: 'data.tasks', message: `must be an integer in [1, ${MAX_PUZZLES}], got 1000000000000` }],
    ['a million augmentations', 'mini-arc', (c: any) => (c.data.augmentations = 1e6), { field: 'data.augmentations', message: 'must be an integer in [0, 10000], got 1000000' }],
    ['canvas 31', 'mini-arc', (c: any) => (c.data.canvas = 31), { field: 'data.canvas', message: 'must be an integer in [2, 30], got 31' }],
    ['an unknown ARC source', 'mini-arc', (c: any) => (c.data.source = 'arc-agi-3'), { field: 'data.source', message: expect.stringMatching(/^must be one of "mini-arc", "arc-agi-1", "arc-agi-2", "concept-arc", got "arc-agi-3"$/) }],
    ['10^300 steps', 'sudoku-4x4', (c: any) => (c.steps = 1e300), { field: 'steps', message: 'must be an integer in [1, 1000000000], got 1e+300' }],
    ['a head dimension the GPU kernels cannot load', 'maze', (c: any) => Object.assign(c.model, { hidden: 24, heads: 4, puzzleEmbDim: 24 }), { field: 'model.heads', message: 'head dimension 6 is not a multiple of 4, which the GPU attention kernels need' }],
    ['zero heads', 'maze', (c: any) => (c.model.heads = 0), { field: 'model.heads', message: 'must be an integer in [1, 256], got 0' }],
    ['a negative seed', 'sudoku-4x4', (c: any) => (c.seed = -1), { field: 'seed', message: 'must be an integer in [0, 4294967295], got -1' }],
  ])('%s', (_, preset, edit, issue) => {
    expect(only(json(preset, edit))).toEqual([issue]);
  });

  it('range issues carry the dashboard form\'s field names', () => {
    const { issues } = refused(json('maze', (c) => Object.assign(c.data, { size: 40, trainMazes: -1 })));
    expect(issues.map((i) => i.field)).toEqual(['data.size', 'data.trainMazes']);
  });

  it('a config saved before model.actContinue existed reads as TRM (no q_continue); a mistyped one is named', () => {
    expect(parseTrainConfig(json('sudoku-4x4', (c) => delete c.model.actContinue), 'old.json').model.actContinue).toBe(false);
    expect(refused(json('sudoku-4x4', (c) => (c.model.actContinue = 'yes'))).msg).toBe('run.json: model.actContinue: must be a boolean, got "yes"');
    expect(refused(json('maze', (c) => (c.model.posEncoding = 'alibi'))).msg).toBe('run.json: model.posEncoding: must be one of "rope", "none", "learned", got "alibi"');
  });

  it('with the dataset shape, checks the model against it', () => {
    expect(() => parseTrainConfig(json('sudoku-4x4'), 'ck', { seqLen: 900, vocabSize: 12, numPuzzleIds: 1 })).toThrow(/ck: model\.variant: sequence of 901 positions is too long for the MLP token mixer/);
  });
});

describe('the config form edits own fields only', () => {
  const cfg: TrainConfig = getPreset('sudoku-4x4');

  it.each(['__proto__.polluted', 'constructor.prototype.polluted', 'model.toString', 'model.__proto__.hidden', 'toString'])('setConfigField(%j) is refused and leaves Object.prototype alone', (path) => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    expect(() => setConfigField(cfg, path, 1)).toThrow(/^no config (field|section)/);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(getConfigField(cfg, path)).toBeUndefined();
  });
});
