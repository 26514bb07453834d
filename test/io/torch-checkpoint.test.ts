import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mazeSource } from '../../src/data/maze-source';
import { sudokuSource } from '../../src/data/sudoku-source';
import { CpuEngine } from '../../src/engine/cpu';
import { parseCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/io/checkpoint';
import { pickleStateDict } from '../../src/io/pickle';
import { SAVED_PREFIX, importReference, referenceStateDict } from '../../src/io/reference-checkpoint';
import { parseReferenceConfig, referenceConfigYaml } from '../../src/io/reference-config';
import { readSafetensorsLazily, readTorchZip, writeTorchZip, type LazyTensor } from '../../src/io/torch-checkpoint';
import { bytesReader, writeZip } from '../../src/io/zip';
import type { TrainConfig } from '../../src/trm/config';
import { NAMES } from '../../src/trm/params';
import { getPreset } from '../../src/trm/presets';
import { Trainer } from '../../src/trm/trainer';
import { refusal, rejectionMessage } from '../helpers/user-message';
import { runPython } from '../helpers/python';

const cpu = new CpuEngine();
const dir = mkdtempSync(join(tmpdir(), 'trm-torch-'));
const concat = (chunks: Uint8Array[]) => Uint8Array.from(Buffer.concat(chunks));
const python = (script: string, args: string[], input?: string) => JSON.parse(runPython([script, ...args], input)) as Record<string, any>;

/** TRM-MLP on 4×4 Sudoku at D = 16, SwiGLU widths rounded to 8 (the reference pads them to 256). */
function mlpConfig(): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, T: 2, n: 1, nSup: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 4 };
  cfg.data = { kind: 'sudoku', size: 4, difficulty: 3 / 16, trainPuzzles: 8, testPuzzles: 4, augment: false };
  return cfg;
}

/** TRM-Att on 5×5 mazes, heads of 4 channels. */
function attentionConfig(): TrainConfig {
  const cfg = getPreset('maze');
  cfg.model = { ...cfg.model, hidden: 16, heads: 4, puzzleEmbDim: 16, T: 2, n: 1, nSup: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 4 };
  cfg.data = { kind: 'maze', size: 5, minPathLength: 2, trainMazes: 4, testMazes: 2, augment: false };
  return cfg;
}

/** A real checkpoint: the trainer after one step (so the puzzle embedding is no longer zero), saved and parsed. */
async function checkpointOf(cfg: TrainConfig): Promise<Checkpoint> {
  const source = cfg.data.kind === 'sudoku' ? sudokuSource({ ...cfg.data, seed: 0 }) : mazeSource({ ...(cfg.data as Extract<TrainConfig['data'], { kind: 'maze' }>), seed: 0 });
  const t = new Trainer(cpu, cfg, source);
  await t.trainStep(true);
  return parseCheckpoint(await saveCheckpoint(t), 'run.safetensors');
}

/** The weights of a checkpoint (no training state), by name. */
const weightsOf = (ck: Checkpoint) => new Map([...ck.tensors].filter(([n]) => !n.startsWith('_train.')).map(([n, t]) => [n, t.data]));
const readAll = async (m: Map<string, LazyTensor>) => new Map(await Promise.all([...m].map(async ([n, t]) => [n, await t.read()] as const)));

let MLP: Checkpoint;
let ATT: Checkpoint;
beforeAll(async () => {
  MLP = await checkpointOf(mlpConfig());
  ATT = await checkpointOf(attentionConfig());
}, 60_000);

describe('torch.save archives in the reference layout (Python torch)', () => {
  it.each(['float32', 'bfloat16', 'float16'])('reads a %s state_dict torch.save wrote with the exact values, and imports it', async (dtype) => {
    const state = referenceStateDict(MLP);
    const out = join(dir, `step_12_${dtype}`);
    const spec = { out, dtype, tensors: Object.fromEntries([...state].map(([n, t]) => [n, { shape: t.shape, data: [...t.data] }])) };
    const saved = python('test/python/torch_save.py', [], JSON.stringify(spec));
    const read = await readAll(await readTorchZip(bytesReader(new Uint8Array(readFileSync(out))), 'step_12'));
    expect([...read.keys()]).toEqual([...state.keys()]);
    for (const [n, v] of read) expect([...v], n).toEqual(saved[n]);
    if (dtype === 'float32') for (const [n, v] of read) expect(v, n).toEqual(state.get(n)!.data);

    const lazy = await readTorchZip(bytesReader(new Uint8Array(readFileSync(out))), 'step_12');
    const { checkpoint, notes } = await importReference(lazy, null, 'step_12', 12);
    expect(checkpoint.meta.step).toBe(12);
    expect(checkpoint.meta.config.model).toMatchObject({ variant: 'mlp', hidden: 16, layers: 2, swigluMultiple: 8, puzzleEmbLen: 1, puzzleEmbDim: 16 });
    expect(checkpoint.meta.config.data).toMatchObject({ kind: 'sudoku', size: 4 });
    expect(notes.join('\n')).toMatch(/SwiGLU: mlp 256 → 48, mlp_t 256 → 48 \(the dropped units are zero in both directions\), so swigluMultiple 8/);
    if (dtype !== 'float32') expect(notes).toContain(`dtypes: 15 ${dtype === 'bfloat16' ? 'BF16' : 'F16'} tensors of 15 converted to float32`);
    // The un-padded weights are the original ones (float32) or their rounding (bfloat16, float16).
    const embed = checkpoint.tensors.get(NAMES.embed)!.data;
    expect([...embed]).toEqual(saved[SAVED_PREFIX + NAMES.embed]);
    if (dtype === 'float32') expect(weightsOf(checkpoint)).toEqual(weightsOf(MLP));
  }, 60_000);

  it('reads float32 weights with H_init and L_init in bfloat16, as the reference keeps its buffers', async () => {
    const state = referenceStateDict(MLP);
    const bf16 = (n: string) => n.endsWith('H_init') || n.endsWith('L_init');
    const out = join(dir, 'step_2');
    const tensors = Object.fromEntries([...state].map(([n, t]) => [n, { shape: t.shape, data: [...t.data], ...(bf16(n) && { dtype: 'bfloat16' }) }]));
    const saved = python('test/python/torch_save.py', [], JSON.stringify({ out, dtype: 'float32', tensors }));
    const { checkpoint, notes } = await importReference(await readTorchZip(bytesReader(new Uint8Array(readFileSync(out))), 'step_2'), null, 'step_2', 2);
    expect(notes).toContain('dtypes: 2 BF16 tensors of 15 converted to float32');
    for (const [n, t] of checkpoint.tensors) {
      if (n.startsWith('_train.')) continue;
      if (bf16(n)) expect([...t.data], n).toEqual(saved[SAVED_PREFIX + n]);
      else expect(t.data, n).toEqual(MLP.tensors.get(n)!.data);
    }
  }, 60_000);

  it('writes a zip that torch.load(weights_only=True) reads back as the same float32 tensors', () => {
    const state = referenceStateDict(ATT);
    const file = join(dir, 'step_3');
    writeFileSync(file, concat(writeTorchZip(state, 'step_3')));
    const loaded = python('test/python/torch_load.py', [file]);
    expect(Object.keys(loaded)).toEqual([...state.keys()]);
    for (const [n, t] of state) {
      expect(loaded[n].dtype, n).toBe('torch.float32');
      expect(loaded[n].shape, n).toEqual(t.shape);
      expect(loaded[n].data, n).toEqual([...t.data]);
    }
    // The reference's 256-wide SwiGLU: [2·256, D] gate-up, [D, 256] down.
    expect(loaded[`${SAVED_PREFIX}inner.L_level.layers.0.mlp.gate_up_proj.weight`].shape).toEqual([512, 16]);
  }, 60_000);
});

describe('importing a reference state_dict', () => {
  const lazyOf = (state: Map<string, { shape: number[]; data: Float32Array }>) =>
    new Map([...state].map(([n, t]) => [n, { dtype: 'F32', shape: t.shape, read: async () => t.data.slice() } as LazyTensor]));

  it('round trips a TRM Lab checkpoint exactly through export and all_config.yaml', async () => {
    for (const ck of [MLP, ATT]) {
      const yaml = parseReferenceConfig(referenceConfigYaml(ck.meta.config, ck.meta.data, 7), 'all_config.yaml');
      const { checkpoint } = await importReference(lazyOf(referenceStateDict(ck)), yaml, 'step_7', 7);
      expect(checkpoint.meta.config).toEqual(ck.meta.config);
      expect(checkpoint.meta.data).toEqual(ck.meta.data);
      expect(weightsOf(checkpoint)).toEqual(weightsOf(ck));
    }
  });

  it("maps the reference's all_config.yaml fields and infers the attention variant", async () => {
    const yaml = parseReferenceConfig(`arch:
  name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1
  loss: {name: losses@ACTLossHead, loss_type: softmax_cross_entropy}
  H_cycles: 2
  L_cycles: 1
  L_layers: 2
  hidden_size: 16
  num_heads: 4
  expansion: 4
  halt_max_steps: 2
  puzzle_emb_ndim: 16
  puzzle_emb_len: 0
  pos_encodings: rope
  mlp_t: false
data_paths: [data/maze-5x5]
global_batch_size: 32
lr: 0.0003
lr_min_ratio: 0.1
ema: true
ema_rate: 0.995
project_name: whatever
`, 'all_config.yaml');
    const { checkpoint, notes } = await importReference(lazyOf(referenceStateDict(ATT)), yaml, 'step_9', 9);
    expect(checkpoint.meta.config.model).toMatchObject({ variant: 'attention', hidden: 16, heads: 4, T: 2, n: 1, nSup: 2, puzzleEmbLen: 0, posEncoding: 'rope', swigluMultiple: 8 });
    expect(checkpoint.meta.config.optim).toMatchObject({ loss: 'softmax', batchSize: 32, lr: 0.0003, lrMinRatio: 0.1, schedule: 'cosine', ema: 0.995 });
    expect(checkpoint.meta.config.data).toMatchObject({ kind: 'maze', size: 5 });
    expect(weightsOf(checkpoint)).toEqual(weightsOf(ATT));
    expect(notes.join('\n')).toMatch(/config: all_config\.yaml/);
    expect(notes.join('\n')).not.toMatch(/assumed/);
  });

  it('keeps trained SwiGLU units: a fully used 256-wide layer needs swigluMultiple 256', async () => {
    const state = referenceStateDict(MLP);
    for (const [n, t] of state) if (/mlp\.(gate_up|down)_proj/.test(n)) t.data.forEach((v, i) => (t.data[i] = v || 0.01));
    const { checkpoint, notes } = await importReference(lazyOf(state), null, 'step_1', 1);
    expect(checkpoint.meta.config.model.swigluMultiple).toBe(256);
    expect(notes.join('\n')).toMatch(/SwiGLU: widths 256, 256 with every unit in use, so swigluMultiple 256/);
    // With TRM Lab's own config asking for 8, dropping trained units would change the model: refused.
    const yaml = parseReferenceConfig(referenceConfigYaml(MLP.meta.config, MLP.meta.data, 1), 'all_config.yaml');
    expect(await rejectionMessage(importReference(lazyOf(state), yaml, 'step_1', 1))).toMatch(/^step_1: mlp units up to 256 are in use, but swigluMultiple 8 keeps 48; this model needs swigluMultiple 256/);
  });

  it('lists missing, unknown and mis-shaped tensors in one error', async () => {
    const state = referenceStateDict(MLP);
    state.delete(`${SAVED_PREFIX}${NAMES.qHeadB}`);
    state.set(`${SAVED_PREFIX}inner.extra`, { shape: [1], data: Float32Array.of(1) });
    state.set(`${SAVED_PREFIX}${NAMES.lmHead}`, { shape: [5, 16], data: new Float32Array(80) });
    const yaml = parseReferenceConfig(referenceConfigYaml(MLP.meta.config, MLP.meta.data, 1), 'all_config.yaml');
    const m = await rejectionMessage(importReference(lazyOf(state), yaml, 'step_1', 1));
    expect(m).toMatch(/^step_1: tensors do not match the config \(1 missing, 1 of the wrong shape or dtype, 1 unknown to it\): missing "inner\.q_head\.bias"; "inner\.lm_head\.weight" has shape \[5,16\], the config needs \[6,16\]; unknown "inner\.extra"/);
  });

  it('reads bfloat16 safetensors of the reference layout tensor by tensor', async () => {
    const header = JSON.stringify({ 'model.inner.H_init': { dtype: 'BF16', shape: [2, 2], data_offsets: [0, 8] }, __metadata__: { format: 'pt' } });
    const bytes = new Uint8Array(8 + header.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    // bfloat16 1, -2, 0.5, 3 (the top halves of the float32s).
    [0x3f80, 0xc000, 0x3f00, 0x4040].forEach((v, i) => new DataView(bytes.buffer).setUint16(8 + header.length + 2 * i, v, true));
    const { tensors, metadata } = await readSafetensorsLazily(bytesReader(bytes), 'w.safetensors');
    expect(metadata).toEqual({ format: 'pt' });
    expect([...(await tensors.get('model.inner.H_init')!.read())]).toEqual([1, -2, 0.5, 3]);
    expect([...(await tensors.get('model.inner.H_init')!.read(1, 1))]).toEqual([0.5, 3]);
    const bad = new TextEncoder().encode(header.replace('[0,8]', '[0,6]'));
    expect(await rejectionMessage(readSafetensorsLazily(bytesReader(concat([bytes.subarray(0, 8), bad, bytes.subarray(8 + header.length)])), 'w.safetensors'))).toMatch(/tensor "model\.inner\.H_init" has shape \[2,2\] of BF16, which needs 8 bytes, but data_offsets \[0, 6\] hold 6/);
  });
});

describe('a hostile or broken torch archive is refused', () => {
  const archive = (pkl: Uint8Array, storages: Record<string, Uint8Array> = {}) =>
    bytesReader(concat(writeZip([{ name: 'step_1/data.pkl', data: pkl }, ...Object.entries(storages).map(([k, data]) => ({ name: `step_1/data/${k}`, data }))])));
  const tensor = pickleStateDict([{ name: 'inner.H_init', key: '0', dtype: 'F32', shape: [4] }]);

  it('a data.pkl that names os.system', async () => {
    const pkl = Uint8Array.from([0x80, 2, ...new TextEncoder().encode('cos\nsystem\n'), 0x2e]);
    expect(await rejectionMessage(readTorchZip(archive(pkl), 'step_1'))).toMatch(/^step_1 \(data\.pkl\): refused pickle at byte 2: GLOBAL "os\.system" is not allowed/);
  });

  it('a storage the archive lacks, or one shorter than the pickle says', async () => {
    expect(await rejectionMessage(readTorchZip(archive(tensor), 'step_1'))).toMatch(/"inner\.H_init" names storage "0", which the archive lacks/);
    expect(await rejectionMessage(readTorchZip(archive(tensor, { 0: new Uint8Array(12) }), 'step_1'))).toMatch(/storage "0" holds 12 bytes, 4 F32 values need 16/);
    expect([...(await (await readTorchZip(archive(tensor, { 0: new Uint8Array(16) }), 'step_1')).get('inner.H_init')!.read())]).toEqual([0, 0, 0, 0]);
  });

  it('a pickle that is not a dict of tensors, and a zip torch.save did not write', async () => {
    expect(await rejectionMessage(readTorchZip(archive(Uint8Array.from([0x80, 2, 0x4e, 0x2e])), 'step_1'))).toMatch(/holds None, not a state_dict/);
    const other = bytesReader(concat(writeZip([{ name: 'readme.txt', data: new Uint8Array(3) }])));
    expect(await rejectionMessage(readTorchZip(other, 'x.zip'))).toMatch(/^x\.zip: a zip archive, but not one torch\.save wrote \(no data\.pkl entry\)/);
  });

  it('an all_config.yaml with a Python tag, another architecture or a mistyped field', () => {
    expect(refusal(() => parseReferenceConfig('arch: !!python/object/apply:os.system [ls]\n', 'all_config.yaml'))).toMatch(/^all_config\.yaml: not valid YAML for a config \(.*python\/object\/apply:os\.system/);
    expect(refusal(() => parseReferenceConfig('arch: {name: hrm@HierarchicalReasoningModel_ACTV1}\n', 'all_config.yaml'))).toMatch(/arch\.name is "hrm@HierarchicalReasoningModel_ACTV1"; TRM Lab runs recursive_reasoning\.trm/);
    expect(refusal(() => parseReferenceConfig('arch: {name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1, hidden_size: big}\n', 'all_config.yaml'))).toMatch(/arch\.hidden_size is "big", not an integer/);
    // A billion laughs: each level ten aliases of the one before.
    const laughs = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...Array.from({ length: 8 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`)].join('\n');
    expect(refusal(() => parseReferenceConfig(laughs, 'all_config.yaml'))).toMatch(/^all_config\.yaml: not valid YAML for a config \(.*alias/i);
  });
});
