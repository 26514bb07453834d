import { describe, expect, it } from 'vitest';
import { configDiff, decodeUrlState, encodeUrlState, nearestPreset } from '../../src/io/url-state';
import { getPreset, PRESET_NAMES } from '../../src/trm/presets';

describe('URL state', () => {
  it('round-trips every preset unchanged as a bare preset link', () => {
    for (const preset of PRESET_NAMES) {
      const hash = encodeUrlState({ preset, config: getPreset(preset), puzzle: null });
      expect(hash).toBe(`preset=${preset}`);
      const back = decodeUrlState(`#${hash}`);
      expect(back.errors).toEqual([]);
      expect(back.config).toEqual(getPreset(preset));
    }
  });

  it('keeps links short (only changed fields) and round-trips numbers, strings, booleans, lists and the puzzle', () => {
    const cfg = getPreset('arc-procedural');
    cfg.model.hidden = 96;
    cfg.optim.lr = 1.5e-7;
    cfg.optim.optimizer = 'adamw';
    if (cfg.data.kind !== 'arc-procedural') throw new Error('kind');
    cfg.data.families = ['flip', 'recolour'];
    cfg.data.translate = true;
    const puzzle = 'arc:task 12/test#0 & more';
    const hash = encodeUrlState({ preset: 'arc-procedural', config: cfg, puzzle });
    expect(hash.split('&').length).toBe(1 + 5 + 1);
    const back = decodeUrlState(hash);
    expect(back.errors).toEqual([]);
    expect(back.config).toEqual(cfg);
    expect(back.puzzle).toBe(puzzle);
    expect(back.preset).toBe('arc-procedural');
    expect(back.configured).toBe(true);
    expect(decodeUrlState('#puzzle=x').configured).toBe(false);
    expect(decodeUrlState('').configured).toBe(false);
  });

  it('carries a change of data kind as the whole data section', () => {
    const cfg = getPreset('sudoku-4x4');
    cfg.data = { kind: 'maze', size: 10, minPathLength: 12, trainMazes: 300, testMazes: 50, augment: false };
    const diff = configDiff(getPreset('sudoku-4x4'), cfg).map(([k]) => k);
    expect(diff).toEqual(expect.arrayContaining(['data.kind', 'data.size', 'data.augment', 'data.testMazes']));
    const back = decodeUrlState(encodeUrlState({ preset: 'sudoku-4x4', config: cfg, puzzle: null }));
    expect(back.config).toEqual(cfg);
    expect(back.errors).toEqual([]);
  });

  it('turns malformed hashes into messages, never exceptions, and keeps what it can', () => {
    const r = decodeUrlState('#preset=nope&model.hidden=abc&model.bogus=1&optim.lr=0.002&data.augment=maybe&%E0%A4%A=1');
    expect(r.preset).toBe('sudoku-4x4');
    expect(r.config.optim.lr).toBe(0.002);
    expect(r.config.model.hidden).toBe(getPreset('sudoku-4x4').model.hidden);
    expect(r.errors.join('\n')).toMatch(/unknown preset "nope"/);
    expect(r.errors.join('\n')).toMatch(/model.hidden in the link: "abc" is not a number \(ignored; keeping 32\)/);
    expect(r.errors.join('\n')).toMatch(/2 unknown settings in the link: "model.bogus", .* \(ignored\)/);
    expect(r.errors.join('\n')).toMatch(/data.augment in the link: "maybe" is not true or false/);
    for (const junk of ['', '#', '#&&&', '#=', '#%', '#preset', '#data.kind=teapot&data.size=3', '#model.hidden=', '#' + 'x'.repeat(10000)]) {
      const p = decodeUrlState(junk);
      expect(p.config.model).toBeTruthy();
    }
    expect(decodeUrlState('#data.kind=teapot&data.size=3').errors).toEqual(['unknown data kind "teapot" in the link; keeping sudoku and ignoring its data settings']);
  });

  it('reports validation issues of a well-formed but invalid config next to their fields', () => {
    const r = decodeUrlState('#preset=maze&model.heads=5');
    expect(r.errors).toEqual([]);
    expect(r.issues.map((i) => i.field)).toContain('model.heads');
  });

  it('names the nearest preset of a config', () => {
    const cfg = getPreset('maze');
    cfg.optim.lr = 0.01;
    expect(nearestPreset(cfg)).toEqual({ preset: 'maze', changes: 1 });
  });
});
