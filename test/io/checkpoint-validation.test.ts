import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sudokuSource } from '../../src/data/sudoku-source';
import { CpuEngine } from '../../src/engine/cpu';
import { NonFiniteWeightsError, parseCheckpoint, restoreCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/io/checkpoint';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../../src/io/safetensors';
import type { TrainConfig } from '../../src/trm/config';
import { getPreset } from '../../src/trm/presets';
import { Trainer } from '../../src/trm/trainer';
import { runCli } from '../helpers/cli';
import { expectUserMessage, refusal } from '../helpers/user-message';

const cpu = new CpuEngine();
const FILE = 'run.safetensors';
const LM_HEAD = 'inner.lm_head.weight';

/** 4×4 Sudoku (vocabulary 6) at D = 16 with EMA and a puzzle embedding: every kind of tensor a checkpoint holds. */
function tinyConfig(): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, T: 2, n: 1, nSup: 2, expansion: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 8, ema: 0.8 };
  cfg.data = { kind: 'sudoku', size: 4, difficulty: 3 / 16, trainPuzzles: 32, testPuzzles: 16, augment: false };
  return cfg;
}

const trainer = (cfg: TrainConfig) => {
  if (cfg.data.kind !== 'sudoku') throw new Error('sudoku config expected');
  return new Trainer(cpu, cfg, sudokuSource({ ...cfg.data, seed: cfg.seed }));
};

/** A real checkpoint: the tiny trainer after one step, saved by saveCheckpoint. */
let valid: Uint8Array;
let saved: Trainer;
beforeAll(async () => {
  saved = trainer(tinyConfig());
  await saved.trainStep(true);
  valid = await saveCheckpoint(saved, { puzzleIds: ['<blank>'], notes: { runId: 'r1' } });
}, 60_000);

const headerLength = (bytes: Uint8Array) => Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));

/** The checkpoint with its header JSON replaced by `edit(header)` (the data section kept byte for byte). */
function withHeader(edit: (h: Record<string, any>) => unknown, bytes = valid): Uint8Array {
  const n = headerLength(bytes);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, any>;
  const out = edit(header);
  return rawFile(typeof out === 'string' ? out : JSON.stringify(out ?? header), bytes.subarray(8 + n));
}

function rawFile(headerText: string | Uint8Array, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = typeof headerText === 'string' ? new TextEncoder().encode(headerText) : headerText;
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** The checkpoint rewritten through the real writer with its tensors and trm_lab metadata edited. */
function rewritten(editTensors: (t: Map<string, SafeTensor>) => void, editMeta: (m: Record<string, any>) => void = () => {}): Uint8Array {
  const { tensors, metadata } = readSafetensors(valid);
  editTensors(tensors);
  const meta = JSON.parse(metadata.trm_lab) as Record<string, any>;
  editMeta(meta);
  return writeSafetensors(tensors, { trm_lab: JSON.stringify(meta) });
}

const withMeta = (edit: (m: Record<string, any>) => void) => rewritten(() => {}, edit);

/** parseCheckpoint refuses `bytes` with a bounded, located message matching every pattern. */
function refused(bytes: Uint8Array, ...patterns: RegExp[]): string {
  // InputError and its kinds (ConfigError for the config inside).
  const msg = refusal(() => parseCheckpoint(bytes, FILE));
  expectUserMessage(msg, ...patterns);
  return msg;
}

describe('a checkpoint from saveCheckpoint', () => {
  it('parses and restores exactly, with no warnings', () => {
    const ck = parseCheckpoint(valid, FILE);
    expect(ck.warnings).toEqual([]);
    expect(ck.meta.step).toBe(1);
    expect(ck.meta.puzzleIds).toEqual(['<blank>']);
    const t = trainer(tinyConfig());
    restoreCheckpoint(t, ck, FILE);
    expect(t.step).toBe(1);
    expect(Array.from(t.arena.data.f64)).toEqual(Array.from(Float32Array.from(saved.arena.data.f64)));
    expect(Array.from(t.ema!.shadow.f64)).toEqual(Array.from(Float32Array.from(saved.ema!.shadow.f64)));
  });

  it('without its training state (a weights-only export) loads the named weights as live and EMA weights', async () => {
    const ck = parseCheckpoint(rewritten((t) => [...t.keys()].filter((n) => n.startsWith('_train.')).forEach((n) => t.delete(n))), FILE);
    const t = trainer(tinyConfig());
    restoreCheckpoint(t, ck, FILE);
    const lm = Array.from(ck.tensors.get(LM_HEAD)!.data);
    expect(Array.from(await cpu.read(t.arena.param(LM_HEAD)))).toEqual(lm);
    expect(Array.from(await cpu.read(t.arena.viewsOver(t.ema!.shadow).get(LM_HEAD)!))).toEqual(lm);
  });
});

describe('the safetensors header is checked before any tensor is read', () => {
  it('a file shorter than the 8-byte length, or whose header length runs past it or past the limit', () => {
    refused(valid.subarray(0, 5), /run\.safetensors: not a valid safetensors file: shorter than its 8-byte header length \(5 bytes\)/);
    refused(valid.subarray(0, 200), /header length \d+ runs past the end of the file \(200 bytes\)/);
    const huge = valid.slice();
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    refused(huge, /header length 9223372036854775808 exceeds the format's limit of 100000000 bytes/);
  });

  it('a truncated file: the last tensor ends past the data', () => {
    refused(valid.subarray(0, valid.length - 4), /tensor "_train\.adam_v" has data_offsets \[\d+, \d+\] past the end of the data \(\d+ bytes\)/);
  });

  it('a header that is not UTF-8, not JSON, or JSON but not an object', () => {
    refused(rawFile(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), /header is not UTF-8 text/);
    refused(rawFile('{"a": '), /run\.safetensors: not a valid safetensors file: header is not JSON/);
    refused(rawFile('null'), /header is null, not a JSON object/);
    refused(rawFile('[1,2,3]'), /header is a list of 3, not a JSON object/);
    refused(rawFile('42'), /header is 42, not a JSON object/);
  });

  it('a deeply nested entry and a multi-megabyte tensor name give a short message', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    refused(withHeader((h) => JSON.stringify(h).replace(/^\{/, `{"w":${deep},`)), /tensor "w" is a list of 1, not an object with dtype, shape and data_offsets/);
    const long = 'x'.repeat(3_000_000);
    const msg = refused(withHeader((h) => void (h[long] = { dtype: 'F32', shape: [1], data_offsets: [0, 4] })), /overlaps tensor "x{80}…" \(3000000 characters\) \(which ends at 4\)/);
    expect(msg.length).toBeLessThan(400);
  });

  it('__metadata__ null is no metadata (as the library reads it): not a TRM Lab checkpoint', () => {
    refused(withHeader((h) => void (h.__metadata__ = null)), /run\.safetensors: a safetensors file, but not a TRM Lab checkpoint \(no "trm_lab" metadata\)/);
  });

  it('__metadata__ that is not an object of strings', () => {
    refused(withHeader((h) => void (h.__metadata__ = ['x'])), /"__metadata__" is a list of 1, not an object of strings/);
    refused(withHeader((h) => void (h.__metadata__.trm_lab = { format: 'trm-lab/1' })), /"__metadata__" entry "trm_lab" is an object, not a string/);
  });

  it('a tensor entry that is not an object, or whose dtype is unknown, unread or a prototype name', () => {
    refused(withHeader((h) => void (h[LM_HEAD] = null)), /tensor "inner\.lm_head\.weight" is null, not an object with dtype, shape and data_offsets/);
    refused(withHeader((h) => void (h[LM_HEAD].dtype = 'F33')), /tensor "inner\.lm_head\.weight" has dtype "F33", not a safetensors dtype/);
    refused(withHeader((h) => void (h[LM_HEAD].dtype = 'constructor')), /tensor "inner\.lm_head\.weight" has dtype "constructor", not a safetensors dtype/);
    refused(withHeader((h) => void (h[LM_HEAD].dtype = 'BF16')), /tensor "inner\.lm_head\.weight" has dtype BF16, which TRM Lab does not read \(it reads F32, I32, F64, U8\)/);
  });

  it('a shape that is not a list of non-negative integers', () => {
    refused(withHeader((h) => void (h[LM_HEAD].shape = [6, -16])), /tensor "inner\.lm_head\.weight" has shape \[6,-16\]: dimension 1 is -16 \(negative\)/);
    refused(withHeader((h) => void (h[LM_HEAD].shape = '6x16')), /tensor "inner\.lm_head\.weight" has shape "6x16", not a list of dimensions/);
  });

  it('negative, fractional, reversed, out-of-range or malformed data_offsets', () => {
    refused(withHeader((h) => void (h[LM_HEAD].data_offsets[0] = -8)), /tensor "inner\.lm_head\.weight" has data_offsets begin -8 \(negative\)/);
    refused(withHeader((h) => void (h[LM_HEAD].data_offsets[1] += 0.5)), /tensor "inner\.lm_head\.weight" has data_offsets end \d+\.5 \(not an integer\)/);
    refused(withHeader((h) => void h[LM_HEAD].data_offsets.reverse()), /tensor "inner\.lm_head\.weight" has data_offsets \[\d+, \d+\]: the end comes before the begin/);
    refused(withHeader((h) => void (h[LM_HEAD].data_offsets = [1e9, 1e9 + 384])), /tensor "inner\.lm_head\.weight" has data_offsets \[1000000000, 1000000384\] past the end of the data/);
    refused(withHeader((h) => void (h[LM_HEAD].data_offsets = [0])), /tensor "inner\.lm_head\.weight" has data_offsets a list of 1, not two byte offsets \[begin, end\]/);
  });

  it('a byte length that is not elements × dtype size', () => {
    refused(withHeader((h) => void (h[LM_HEAD].shape = [5, 16])), /tensor "inner\.lm_head\.weight" has shape \[5,16\] of F32, which needs 320 bytes, but data_offsets \[\d+, \d+\] hold 384/);
  });

  it('overlapping ranges, bytes that belong to no tensor and trailing bytes', () => {
    // lm_head given the embedding's bytes (the same length): the two overlap, and lm_head's own bytes are orphaned.
    refused(
      withHeader((h) => void (h[LM_HEAD].data_offsets = [...h['inner.embed_tokens.embedding_weight'].data_offsets])),
      /tensor "inner\.(lm_head\.weight|embed_tokens\.embedding_weight)" at bytes \[0, 384\) overlaps tensor "inner\.(lm_head\.weight|embed_tokens\.embedding_weight)" \(which ends at 384\)/,
    );
    const padded = new Uint8Array(valid.length + 4);
    padded.set(valid);
    refused(padded, /the last 4 bytes of the data belong to no tensor/);
    // A tensor listed twice: JSON keeps the later entry (here over the bytes of an added tensor "a"), so the
    // earlier entry's bytes belong to no tensor.
    const twice = withHeader(
      (h) => JSON.stringify(h).replace('"a":{', `"${LM_HEAD}":{`),
      rewritten((t) => t.set('a', { dtype: 'F32', shape: [1], data: new Float32Array(1) })),
    );
    refused(twice, /bytes \[384, 768\) of the data belong to no tensor \(the next, "[^"]+", begins at 768\)/);
  });
});

describe('the tensors are exactly the ones the config needs', () => {
  it('an I32 weight of the right byte length is named with the dtype it needs', () => {
    refused(withHeader((h) => void (h[LM_HEAD].dtype = 'I32')), /run\.safetensors: tensors do not match the config \(1 of the wrong shape or dtype\): "inner\.lm_head\.weight" is I32, the config needs F32/);
  });

  it('a transposed weight names both shapes', () => {
    refused(
      rewritten((t) => void (t.get(LM_HEAD)!.shape = [16, 6])),
      /tensors do not match the config \(1 of the wrong shape or dtype\): "inner\.lm_head\.weight" has shape \[16,6\], the config needs \[6,16\]/,
    );
  });

  it('missing and extra tensors (prototype names included) are listed together in one error', () => {
    const msg = refused(
      rewritten((t) => {
        t.delete('inner.H_init');
        t.set('__proto__', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
        t.set('constructor', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
      }),
      /\(1 missing, 2 unknown to it\): missing "inner\.H_init"; unknown "__proto__"; unknown "constructor"$/,
    );
    expect(msg.startsWith('run.safetensors: ')).toBe(true);
  });

  it('a partial training state names what is missing from it', () => {
    refused(rewritten((t) => void t.delete('_train.adam_v')), /\(1 missing\): missing "_train\.adam_v"$/);
  });

  it('training state of the wrong length is named with the arena length the config needs', () => {
    refused(rewritten((t) => void (t.set('_train.adam_m', { dtype: 'F32', shape: [8], data: new Float32Array(8) }))), /"_train\.adam_m" has shape \[8\], the config needs \[\d+\]/);
  });

  it('many problems: the first few named, then how many more, under 500 bytes', () => {
    const msg = refused(
      rewritten((t) => [...t.keys()].filter((n) => n.includes('L_level')).forEach((n) => t.delete(n))),
      /\(\d+ missing\): missing "inner\.L_level\.layers\.0\.[^"]+"; missing "inner\.L_level[^"]+"; missing "inner\.L_level[^"]+"; missing "inner\.L_level[^"]+"; and \d+ more$/,
    );
    expect(msg).not.toContain('…');
  });

  it('restoring into a trainer whose config gives other shapes names the tensors (resume overrides)', () => {
    const ck = parseCheckpoint(valid, FILE);
    const cfg = tinyConfig();
    cfg.model.hidden = 24;
    cfg.model.puzzleEmbDim = 24;
    const t = trainer(cfg);
    const before = Array.from(t.arena.data.f64);
    expect(() => restoreCheckpoint(t, ck, FILE)).toThrow(/run\.safetensors: tensors do not match this run's config \(\d+ of the wrong shape or dtype\): "inner\.embed_tokens\.embedding_weight" has shape \[6,16\], this run's config needs \[6,24\]/);
    expect(Array.from(t.arena.data.f64)).toEqual(before);
  });
});

describe('non-finite weights', () => {
  const poisoned = () =>
    rewritten((t) => {
      const lm = t.get(LM_HEAD)!.data;
      lm[0] = NaN;
      lm[5] = NaN;
      lm[7] = -Infinity;
      t.get('inner.L_init')!.data[3] = Infinity;
    });

  it('are never saved: saveCheckpoint refuses naming the step and the tensors', async () => {
    const t = trainer(tinyConfig());
    const nan = new Float32Array(t.arena.total);
    nan[3] = NaN;
    cpu.write(t.arena.data, nan);
    cpu.write(t.ema!.shadow, nan);
    const err = await saveCheckpoint(t).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteWeightsError);
    expect((err as Error).message).toBe('the weights at step 0 hold NaN/Inf ("inner.embed_tokens.embedding_weight": 1 NaN of 96; "_train.params": 1 NaN of ' + t.arena.total + '; and 1 more), so they were not saved');
  });

  it('are refused naming each tensor and how many values are NaN or infinite', () => {
    refused(poisoned(), /run\.safetensors: 2 tensors hold non-finite values \(a diverged run\?\): "inner\.lm_head\.weight": 2 NaN, 1 infinite of 96; "inner\.L_init": 1 infinite of 16/);
  });

  it('load with a loud warning where the caller asked to inspect them', () => {
    const ck: Checkpoint = parseCheckpoint(poisoned(), FILE, { allowNonFinite: true });
    expect(ck.warnings).toHaveLength(1);
    expect(ck.warnings[0]).toMatch(/run\.safetensors: loaded non-finite values as asked, outputs from them are not meaningful: "inner\.lm_head\.weight": 2 NaN, 1 infinite of 96/);
    expect(Number.isNaN(ck.tensors.get(LM_HEAD)!.data[0])).toBe(true);
  });
});

describe('the trm_lab metadata', () => {
  it('not JSON, not an object, or another format', () => {
    refused(withHeader((h) => void (h.__metadata__.trm_lab = '{"format":')), /run\.safetensors: checkpoint metadata "trm_lab" is not JSON/);
    refused(withHeader((h) => void (h.__metadata__.trm_lab = 'null')), /checkpoint metadata "trm_lab" is null, not a JSON object/);
    refused(withMeta((m) => void (m.format = 'trm-lab/9')), /checkpoint metadata: format "trm-lab\/9", this build reads "trm-lab\/1"/);
  });

  it('dataset shape, counters, puzzle ids and notes are checked field by field, all named at once', () => {
    refused(
      withMeta((m) => {
        m.data.seqLen = -3;
        m.data.numPuzzleIds = 0.5;
        m.step = 'abc';
        m.puzzleIds = [1];
        m.notes = [];
      }),
      /checkpoint metadata: data\.seqLen must be an integer ≥ 1, got -3; data\.numPuzzleIds must be an integer ≥ 0, got 0\.5; step must be an integer ≥ 0, got "abc"; puzzleIds must be a list of strings, got a list holding a non-string; notes must be an object, got a list of 0/,
    );
    refused(withMeta((m) => void (m.data = null)), /data must be an object \(the dataset's shape\), got null/);
  });

  it('a dataset shape its config cannot produce', () => {
    refused(withMeta((m) => void (m.data.seqLen = 17)), /checkpoint metadata: data\.seqLen is 17, but its config's data \(a 4×4 Sudoku\) gives 16/);
  });

  it('config fields are validated as a user config is, naming the field', () => {
    refused(withMeta((m) => void (m.config.model.hidden = 'abc')), /model\.hidden/, /abc/);
    refused(withMeta((m) => void (m.config.model.hidden = -3)), /model\.hidden/, /-3/);
    refused(withMeta((m) => void (m.config = 7)), /config.*object.*7/);
  });

  it('a deeply nested config gives a short message, not a stack overflow', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    refused(
      withHeader((h) => {
        const meta = JSON.parse(h.__metadata__.trm_lab);
        meta.config.model.layers = 'DEEP';
        h.__metadata__.trm_lab = JSON.stringify(meta).replace('"DEEP"', deep);
      }),
      /model\.layers/,
    );
  });

  it('prototype names in the config are fields it does not have, never applied', () => {
    const bytes = withHeader((h) => {
      h.__metadata__.trm_lab = h.__metadata__.trm_lab.replace('"model":{', '"model":{"__proto__":{"polluted":1},');
    });
    refused(bytes, /__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trm-ckpt-'));
  const file = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('eval runs the valid checkpoint', () => {
    const e = runCli('eval', ['--checkpoint', file('valid.safetensors', valid), '--backend', 'cpu', '--n', '4']);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/examples\s+4/);
  });

  it.each([
    ['nan.safetensors', () => rewritten((t) => void (t.get(LM_HEAD)!.data[1] = NaN)), /holds non-finite values \(a diverged run\?\): "inner\.lm_head\.weight": 1 NaN of 96/],
    ['null-meta.safetensors', () => withHeader((h) => void (h.__metadata__ = null)), /not a TRM Lab checkpoint \(no "trm_lab" metadata\)/],
    ['transposed.safetensors', () => rewritten((t) => void (t.get(LM_HEAD)!.shape = [16, 6])), /"inner\.lm_head\.weight" has shape \[16,6\], the config needs \[6,16\]/],
    ['list.safetensors', () => rawFile('[]'), /header is a list of 0, not a JSON object/],
  ])('eval --checkpoint %s prints one clear line and exits 1', (name, bytes, why) => {
    const path = file(name, bytes());
    const e = runCli('eval', ['--checkpoint', path, '--backend', 'cpu']);
    expect(e.code).toBe(1);
    expect(e.stdout).toBe('');
    const line = e.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line.startsWith(`[trm] error: ${path}: `)).toBe(true);
    expectUserMessage(line, why);
  });

  it('eval --non-finite load evaluates NaN weights with a warning naming them; another value is refused', () => {
    const path = file('inspect.safetensors', rewritten((t) => void (t.get(LM_HEAD)!.data[1] = NaN)));
    const e = runCli('eval', ['--checkpoint', path, '--backend', 'cpu', '--n', '4', '--non-finite', 'load']);
    expect(e.code).toBe(0);
    expect(e.stderr).toContain(`[trm] warning: ${path}: loaded non-finite values as asked, outputs from them are not meaningful: "inner.lm_head.weight": 1 NaN of 96`);
    expect(e.stdout).toMatch(/examples\s+4/);
    const bad = runCli('eval', ['--checkpoint', path, '--backend', 'cpu', '--non-finite', 'yes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('[trm] error: --non-finite: "yes" is not one of refuse, load');
  });

  it('a checkpoint path that is a folder or missing is named in our words, for eval and train --resume', () => {
    const folder = join(dir, 'a-folder.safetensors');
    mkdirSync(folder);
    const missing = join(dir, 'missing.safetensors');
    const cases: [string[], string][] = [
      [['eval', '--checkpoint', folder], `${folder}: is a folder, not a file`],
      [['eval', '--checkpoint', missing], `${missing}: no such file or folder`],
      [['train', '--resume', folder, '--out', join(dir, 'never')], `${folder}: is a folder, not a file`],
    ];
    for (const [[script, ...args], message] of cases) {
      const r = runCli(script as 'eval' | 'train', [...args, '--backend', 'cpu']);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`[trm] error: ${message}`);
      expectUserMessage(r.stderr);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('train --resume of a bad checkpoint exits 1 and creates no run folder', () => {
    const out = join(dir, 'resumed');
    const r = runCli('train', ['--resume', file('bad-resume.safetensors', withHeader((h) => void (h[LM_HEAD].data_offsets[0] = -8))), '--out', out, '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-resume\.safetensors: not a valid safetensors file: tensor "inner\.lm_head\.weight" has data_offsets begin -8 \(negative\)/);
    expect(existsSync(out)).toBe(false);
  });
});
