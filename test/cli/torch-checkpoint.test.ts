import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/io/safetensors';
import { writeZip } from '../../src/io/zip';
import { runCli, type CliResult } from '../helpers/cli';
import { runPython } from '../helpers/python';
import { expectUserMessage } from '../helpers/user-message';

const dir = mkdtempSync(join(tmpdir(), 'trm-torch-cli-'));
const exportCli = (args: string[]): CliResult => runCli('export-checkpoint', args);
const evalOut = (ckpt: string, extra: string[] = []) => {
  const r = runCli('eval', ['--checkpoint', ckpt, '--backend', 'cpu', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const tiny = ['--steps', '4', '--report-every', '2', '--evalEvery', '0', '--evalSamples', '8', '--backend', 'cpu', '--model.hidden', '16', '--model.puzzleEmbDim', '16', '--model.T', '2', '--model.n', '1', '--model.nSup', '2', '--optim.batchSize', '8'];
const RUNS = {
  mlp: ['--preset', 'sudoku-4x4', '--data.trainPuzzles', '20', '--data.testPuzzles', '16'],
  attention: ['--preset', 'maze', '--model.heads', '4', '--data.size', '5', '--data.minPathLength', '2', '--data.trainMazes', '8', '--data.testMazes', '4'],
};

beforeAll(() => {
  for (const [name, args] of Object.entries(RUNS)) {
    const t = runCli('train', [...args, ...tiny, '--out', join(dir, name)]);
    expect(t.code, t.stderr).toBe(0);
    const e = exportCli(['--checkpoint', join(dir, name, 'checkpoint.safetensors'), '--out', join(dir, `${name}-ref`)]);
    expect(e.code, e.stderr).toBe(0);
  }
}, 240_000);

describe('export-checkpoint and import of the reference layout in the CLI', () => {
  it.each(Object.keys(RUNS))('%s: the exported step_N and safetensors evaluate exactly as the TRM Lab checkpoint', (name) => {
    const ref = join(dir, `${name}-ref`);
    expect(readdirSync(ref).sort()).toEqual(['all_config.yaml', 'step_4', 'step_4.safetensors']);
    const original = evalOut(join(dir, name, 'checkpoint.safetensors'));
    const metrics = original.stdout.replace(/^\[trm\].*\n/gm, '');
    expect(metrics).toMatch(/^examples\s+\d+\nexact accuracy/);
    for (const file of ['step_4', 'step_4.safetensors']) {
      const r = evalOut(join(ref, file));
      expect(r.stdout).toBe(original.stdout);
      expect(r.stderr).toMatch(new RegExp(`\\[trm\\] ${file.replace('.', '\\.')}: names: _orig_mod\\.model\\. stripped from \\d+ tensors`));
      expect(r.stderr).toMatch(/config: the TRM Lab config recorded in all_config\.yaml/);
    }
  }, 120_000);

  it('torch.load(weights_only=True) reads the export: reference names, 256-wide SwiGLU, the safetensors values', () => {
    const ref = join(dir, 'mlp-ref');
    const loaded = JSON.parse(runPython(['test/python/torch_load.py', join(ref, 'step_4')])) as Record<string, { shape: number[]; data: number[] }>;
    const safe = readSafetensors(new Uint8Array(readFileSync(join(ref, 'step_4.safetensors'))), 'step_4.safetensors').tensors;
    expect(Object.keys(loaded)).toEqual([...safe.keys()]);
    expect(Object.keys(loaded).every((k) => k.startsWith('_orig_mod.model.inner.'))).toBe(true);
    for (const [k, t] of safe) expect(loaded[k].data, k).toEqual([...t.data]);
    expect(loaded['_orig_mod.model.inner.L_level.layers.1.mlp.down_proj.weight'].shape).toEqual([16, 256]);
  });

  it('a bfloat16 torch.save checkpoint without all_config.yaml: the config inferred and said', () => {
    const safe = readSafetensors(new Uint8Array(readFileSync(join(dir, 'mlp-ref', 'step_4.safetensors'))), 'x').tensors;
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    const spec = { out: join(bare, 'step_40'), dtype: 'bfloat16', tensors: Object.fromEntries([...safe].map(([k, t]) => [k, { shape: t.shape, data: [...t.data] }])) };
    runPython(['test/python/torch_save.py'], JSON.stringify(spec));
    const r = evalOut(join(bare, 'step_40'), ['--n', '4']);
    expect(r.stdout).toMatch(/^examples\s+4$/m);
    expect(r.stderr).toMatch(/step_40: config: no all_config\.yaml beside the checkpoint, so inferred from the shapes/);
    expect(r.stderr).toMatch(/step_40: model: TRM-MLP, hidden 16, 2 layers, vocabulary 6, 16 tokens \+ 1 prefix, no positions, puzzle embedding 1×16/);
    expect(r.stderr).toMatch(/step_40: dtypes: 15 BF16 tensors of 15 converted to float32/);
    expect(r.stderr).toMatch(/step_40: SwiGLU: mlp 256 → 48, mlp_t 256 → 48 \(the dropped units are zero in both directions\), so swigluMultiple 8/);
    expect(r.stderr).toMatch(/step_40: assumed \(not in the weights\): T \(H_cycles\) 3, n \(L_cycles\) 6, N_sup \(halt_max_steps\) 16/);
  }, 60_000);

  it('train --resume continues from an exported step_N', () => {
    const out = join(dir, 'resumed');
    const r = runCli('train', ['--resume', join(dir, 'attention-ref', 'step_4'), '--steps', '6', '--report-every', '2', '--backend', 'cpu', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number }).filter((l) => l.type === 'train').map((l) => l.step);
    expect(steps).toEqual([6]);
  }, 60_000);

  it('refuses a hostile pickle and a truncated archive in one line, and an export over existing files', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    const payload = Uint8Array.from([0x80, 2, ...new TextEncoder().encode('cposix\nsystem\nX\x02\x00\x00\x00id\x85R.')]);
    writeFileSync(join(bad, 'step_1'), Buffer.concat(writeZip([{ name: 'step_1/data.pkl', data: payload }])));
    const hostile = runCli('eval', ['--checkpoint', join(bad, 'step_1'), '--backend', 'cpu']);
    expect(hostile.code).toBe(1);
    expectUserMessage(hostile.stderr.trim(), /^\[trm\] error: \S+step_1 \(data\.pkl\): refused pickle at byte 2: GLOBAL "posix\.system" is not allowed/);
    expect(hostile.stderr).not.toMatch(/uid=/);

    const whole = readFileSync(join(dir, 'mlp-ref', 'step_4'));
    writeFileSync(join(bad, 'step_4'), whole.subarray(0, whole.length - 100));
    const cut = runCli('eval', ['--checkpoint', join(bad, 'step_4'), '--backend', 'cpu']);
    expect(cut.code).toBe(1);
    expectUserMessage(cut.stderr.trim(), /^\[trm\] error: \S+step_4: not a valid zip archive: no end-of-central-directory record \(a truncated file, or not a zip\)$/);

    copyFileSync(join(dir, 'mlp', 'checkpoint.safetensors'), join(bad, 'run.safetensors'));
    const again = exportCli(['--checkpoint', join(bad, 'run.safetensors'), '--out', join(dir, 'mlp-ref')]);
    expect(again.code).toBe(1);
    expectUserMessage(again.stderr.trim(), /step_4, \S+step_4\.safetensors, \S+all_config\.yaml already exist; export to another --out or remove them$/);
  }, 60_000);
});
