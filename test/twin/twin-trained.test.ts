import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSource } from '../../src/data/sources';
import { restoreCheckpoint } from '../../src/io/checkpoint';
import { parseNpy } from '../../src/io/npy';
import { Trainer } from '../../src/trm/trainer';
import { loadCheckpointFile } from '../../src/cli/checkpoint-file';
import { runCli } from '../helpers/cli';
import { cpu } from '../helpers/engines';
import { runPython } from '../helpers/python';

/**
 * The PyTorch twin trains a small model on a dataset TRM Lab exported; TRM Lab opens the twin's reference-format
 * checkpoint and evaluates it to what the twin measured: the same held-out puzzles, the same prediction for every
 * token, the same exact accuracy after every supervision step; also once the weights are stored in bfloat16.
 */
const TWIN = resolve(__dirname, '../../twin');
const dir = mkdtempSync(join(tmpdir(), 'trm-twin-trained-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small-integer .npy (the dataset's uint8 tokens, the twin's int32 predictions) as numbers. */
function ints(path: string): { shape: number[]; values: number[] } {
  const a = parseNpy(new Uint8Array(readFileSync(path)), path);
  if (a.dtype !== 'uint8' && a.dtype !== 'int32') throw new Error(`${path}: ${a.dtype}, expected uint8 or int32`);
  return { shape: a.shape, values: Array.from(a.data as Uint8Array | Int32Array) };
}

describe('a checkpoint the twin trained', () => {
  it('evaluates in TRM Lab to the twin’s predictions and per-step accuracy', { timeout: 600_000 }, async () => {
    const data = join(dir, 'data'), run = join(dir, 'run');
    const exported = runCli('export-data', ['--preset', 'sudoku-4x4', '--data.trainPuzzles', '200', '--data.testPuzzles', '40', '--num-aug', '3', '--out', data]);
    expect(exported.code, exported.stderr).toBe(0);
    runPython([join(TWIN, 'train.py'), '--data', data, '--out', run, '--hidden', '32', '--T', '2', '--n', '2', '--n-sup', '4',
      '--batch', '32', '--steps', '300', '--eval-every', '300', '--warmup', '20', '--threads', '1']);
    const ckpt = join(run, 'step_300');
    // The same weights as torch.save writes them in bfloat16, with the same all_config.yaml beside them.
    const bf16 = join(dir, 'bf16');
    mkdirSync(bf16);
    copyFileSync(join(run, 'all_config.yaml'), join(bf16, 'all_config.yaml'));
    runPython(['-c', 'import sys, torch; sd = torch.load(sys.argv[1]); torch.save({k: v.to(torch.bfloat16) for k, v in sd.items()}, sys.argv[2])', ckpt, join(bf16, 'step_300')]);

    const twinByStep = new Map<string, number[]>();
    for (const [what, file] of [['float32', ckpt], ['bfloat16', join(bf16, 'step_300')]]) {
      const preds = join(dir, `twin-${what}.npy`);
      const twin = JSON.parse(runPython([join(TWIN, 'evaluate.py'), '--checkpoint', file, '--data', data, '--dtype', 'float64', '--predictions', preds, '--threads', '1']));
      // The twin learned something, or equal accuracies would say little.
      expect(twin.tokenAccuracy).toBeGreaterThan(0.5);

      const ck = await loadCheckpointFile(file);
      const cfg = ck.meta.config;
      expect(cfg.model).toMatchObject({ hidden: 32, T: 2, n: 2, nSup: 4, swigluMultiple: 8 });
      const source = createSource(cfg.data, cfg.seed);
      const held = source.evalExamples();
      // TRM Lab's held-out split is the exported test/ split, row for row.
      const inputs = ints(join(data, 'test', 'all__inputs.npy'));
      expect(held.length).toBe(inputs.shape[0]);
      held.forEach((ex, i) => expect(Array.from(ex.inputs)).toEqual(inputs.values.slice(i * ex.inputs.length, (i + 1) * ex.inputs.length)));

      const trainer = new Trainer(cpu, cfg, { ...source, info: ck.meta.data });
      restoreCheckpoint(trainer, ck);
      const lab = await trainer.evaluate(held, { predictions: true });
      expect(Array.from(lab.predictions!), what).toEqual(ints(preds).values);
      expect(lab.exactByStep, what).toEqual(twin.exactByStep);
      expect(lab.tokenAccuracy, what).toBeCloseTo(twin.tokenAccuracy, 12);
      console.log(`twin-trained 4×4 Sudoku (${what}), ${held.length} held-out: exact by step ${lab.exactByStep.map((v) => (100 * v).toFixed(1)).join(' ')}, token ${(100 * lab.tokenAccuracy).toFixed(2)}%`);
      twinByStep.set(what, twin.exactByStep);
    }
    // And through the CLI a user runs, on its default held-out split.
    const cli = runCli('eval', ['--checkpoint', ckpt, '--backend', 'cpu']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`exact by step       ${twinByStep.get('float32')!.map((v) => (100 * v).toFixed(1)).join(' ')}`);
  });
});
