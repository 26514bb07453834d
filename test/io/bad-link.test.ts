import { describe, expect, it } from 'vitest';
import { decodeUrlState, linkBanner, MAX_HASH } from '../../src/io/url-state';
import { draftIssues } from '../../src/state/config-edit';
import { getPreset } from '../../src/trm/presets';
import { expectUserMessage } from '../helpers/user-message';

/** Links as a person (or a hostile page) might hand them to TRM Lab: each bad part named once, bounded. */
describe('bad links (URL state)', () => {
  const only = (hash: string) => {
    const r = decodeUrlState(hash);
    expect(r.errors).toHaveLength(1);
    return r.errors[0];
  };

  it('refuses a 5 MB hash whole with one message that never echoes it', () => {
    const r = decodeUrlState(`#model.hidden=${'9'.repeat(5_000_000)}`);
    expect(r.errors).toHaveLength(1);
    expectUserMessage(r.errors[0], /5000013 characters long/, new RegExp(`more than the ${MAX_HASH}`), /all ignored, showing sudoku-4x4/);
    expect(r.config).toEqual(getPreset('sudoku-4x4'));
    expect(r.configured).toBe(false);
  });

  it('100,000 unknown keys give one message naming the first few and the count', () => {
    const hash = Array.from({ length: 100_000 }, (_, i) => `k${i}=1`).join('&');
    expect(hash.length).toBeLessThan(MAX_HASH);
    const m = only(hash);
    expectUserMessage(m, /^100000 unknown settings in the link: "k0", "k1", "k2", "k3", "k4", … \(ignored\)$/);
    expect(decodeUrlState(hash).configured).toBe(false);
  });

  it('a key given several times with different values is one message, and the preset value stays', () => {
    const m = only('#preset=maze&model.hidden=64&model.hidden=128&model.hidden=abc');
    expectUserMessage(m, /^"model\.hidden" is set 3 times in the link \("64", "128", "abc"\): ignored$/);
    expect(decodeUrlState('#preset=maze&model.hidden=64&model.hidden=128').config.model.hidden).toBe(getPreset('maze').model.hidden);
  });

  it('a bad value repeated 1000 times is named once; the same good value repeated applies', () => {
    const bad = Array.from({ length: 1000 }, () => 'optim.lr=fast').join('&');
    expectUserMessage(only(bad), /^optim\.lr in the link: "fast" is not a number \(ignored; keeping 0\.\d+\)$/);
    expect(decodeUrlState('#optim.lr=0.002&optim.lr=0.002').config.optim.lr).toBe(0.002);
  });

  it('prototype names as keys are unknown settings and never reach Object.prototype', () => {
    const protoKeys = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'model.__proto__.polluted', '__proto__.polluted', 'model.constructor'];
    const r = decodeUrlState(`#${protoKeys.map((k) => `${encodeURIComponent(k)}=1`).join('&')}`);
    expect(r.errors).toHaveLength(1);
    expectUserMessage(r.errors[0], /^7 unknown settings in the link: "__proto__", "constructor", "toString", "hasOwnProperty", "model\.__proto__\.polluted", … \(ignored\)$/);
    expect(r.config).toEqual(getPreset('sudoku-4x4'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.toString).toBe(Object.prototype.toString);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });

  it('prototype names as a preset or a data kind are unknown, and the default applies', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expectUserMessage(only(`#preset=${name}`), new RegExp(`^unknown preset "${name}" in the link; using sudoku-4x4$`));
      // The refused kind's own fields are moot, not a second message.
      const r = decodeUrlState(`#data.kind=${name}&data.size=1000`);
      expect(r.errors).toEqual([`unknown data kind "${name}" in the link; keeping sudoku and ignoring its data settings`]);
      expect(r.config).toEqual(getPreset('sudoku-4x4'));
    }
  });

  it('a list where a number or a boolean is expected, and lists with empty or overlong items', () => {
    const r = decodeUrlState('#preset=arc-procedural&model.hidden=1,2,3&data.translate=true,false&data.families=flip,,recolour');
    expect(r.errors).toHaveLength(3);
    expectUserMessage(r.errors[0], /^model\.hidden in the link: "1,2,3" is not a number \(ignored; keeping \d+\)$/);
    expectUserMessage(r.errors[1], /^data\.translate in the link: "true,false" is not true or false/);
    expectUserMessage(r.errors[2], /^data\.families in the link: "flip,,recolour" has an empty item/);
    expectUserMessage(only(`#preset=arc-procedural&data.families=${'x'.repeat(5000)}`), /^data\.families in the link: "x{40}…" \(5000 characters\) is longer than the 200 characters/);
  });

  it('numbers are read strictly: hex, infinities, blanks, spaces and trailing text are named', () => {
    for (const raw of ['0x10', '1e999', 'NaN', 'Infinity', '', '%2012', '12abc', '1_000']) {
      const m = only(`#model.hidden=${raw}`);
      expectUserMessage(m, /^model\.hidden in the link: ".*" is not a number \(ignored; keeping 32\)$/);
    }
    expect(decodeUrlState('#optim.lr=2e-3&model.hidden=%2B64').config).toMatchObject({ optim: { lr: 0.002 }, model: { hidden: 64 } });
  });

  it('an overlong option value is refused before it can be echoed by validation', () => {
    const m = only(`#model.variant=${'a'.repeat(100_000)}`);
    expectUserMessage(m, /^model\.variant in the link: "a{40}…" \(100000 characters\) is longer than the 200 characters this setting takes/);
  });

  it('a maze side of 1000 is flagged on its field when the page opens, and blocks training', () => {
    const r = decodeUrlState('#preset=maze&data.size=1000');
    expect(r.errors).toEqual([]);
    expect(r.configured).toBe(true);
    expect(r.config.data).toMatchObject({ kind: 'maze', size: 1000 });
    const issue = r.issues.find((i) => i.field === 'data.size');
    expectUserMessage(issue?.message, /must be an integer in \[2, 30\], got 1000/);
    expect(draftIssues(r.config).map((i) => i.field)).toContain('data.size');
    const banner = linkBanner(r.errors, r.issues);
    expectUserMessage(banner.join('\n'), /^data\.size from the link: must be an integer in \[2, 30\], got 1000$/);
  });

  it('10^12 puzzles and a batch of 10^9 are flagged on their fields', () => {
    const r = decodeUrlState('#data.trainPuzzles=1000000000000&optim.batchSize=1000000000');
    expect(r.errors).toEqual([]);
    const byField = new Map(r.issues.map((i) => [i.field, i.message]));
    expectUserMessage(byField.get('data.trainPuzzles'), /must be an integer in \[1, 1000000\], got 1000000000000/);
    expectUserMessage(byField.get('optim.batchSize'), /must be an integer in \[1, 65536\], got 1000000000/);
  });

  it('hidden 4096 with 64 layers is flagged on the layers field', () => {
    const r = decodeUrlState('#preset=maze&model.hidden=4096&model.layers=64&model.heads=64');
    expectUserMessage(r.issues.find((i) => i.field === 'model.layers')?.message, /must be an integer in \[1, 16\], got 64/);
  });

  it('sizes each legal but terabytes together are refused before Start with the figure in bytes', () => {
    const r = decodeUrlState('#preset=paper-arc-agi-1-att&model.hidden=4096&model.heads=64&optim.batchSize=65536');
    expect(r.errors).toEqual([]);
    const issues = draftIssues(r.config);
    expect(issues.length).toBeGreaterThan(0);
    expectUserMessage(issues[0].message, /^needs [\d.]+ (TB|PB) \([\d ]+ bytes\) on any WebGPU device, over/);
    expect(['optim.batchSize', 'model.hidden']).toContain(issues[0].field);
  });

  it("once the engine's limits are known, a config over them is flagged on the field that scales it", () => {
    const r = decodeUrlState('#preset=maze');
    expect(draftIssues(r.config)).toEqual([]);
    const small = { device: 'a small test GPU', memoryBytes: 1e6, memorySource: 'its own report', maxBufferSize: 1e5, maxStorageBufferBindingSize: 1e5, bytesPerFloat: 4 };
    const issues = draftIssues(r.config, small);
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) expectUserMessage(i.message, /a small test GPU/);
    expectUserMessage(issues[0].message, /^needs [\d.]+ MB \([\d ]+ bytes\) on a small test GPU, over 1\.0 MB \(1 000 000 bytes\) \(its own report\)/);
  });

  it('the banner for a link with many bad fields is at most 8 bounded lines', () => {
    const hash = '#preset=maze&data.size=1000&data.trainMazes=-1&data.testMazes=1e12&optim.batchSize=0&model.layers=99&model.T=0&model.n=0&steps=-5&seed=-1&optim.lr=-1&model.hidden=x&junk=1';
    const r = decodeUrlState(hash);
    const banner = linkBanner(r.errors, r.issues);
    expect(banner).toHaveLength(8);
    for (const line of banner) expectUserMessage(line);
    expect(banner[7]).toMatch(/^… and \d+ more problems with the link \(each is flagged beside its field\)$/);
  });

  it('a puzzle too long for any model is refused, not decoded', () => {
    const r = decodeUrlState(`#puzzle=${'1'.repeat(20_000)}.x.0`);
    expect(r.puzzle).toBeNull();
    expect(r.errors).toHaveLength(1);
    expectUserMessage(r.errors[0], /^the puzzle in the link is 20004 characters long, more than any model's grid takes \(8192\): ignored$/);
  });

  it('undecodable percent escapes and odd separators are quoted, never thrown', () => {
    for (const junk of ['#%E0%A4%A=1', '#=&=&=', '#&&&&', '#a=b=c', '#%', '#model.hidden=%FF']) {
      const r = decodeUrlState(junk);
      for (const e of r.errors) expectUserMessage(e);
      expect(r.config.model).toBeTruthy();
    }
  });
});
