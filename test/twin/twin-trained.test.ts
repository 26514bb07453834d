import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IGNORE_LABEL, type Example } from '../../src/data/dataset';
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
 * token, the same exact accuracy after every supervision step; also once the weights are stored in bfloat16, and
 * without all_config.yaml, where both run the config TRM Lab infers from the shapes and the reference's defaults.
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

/** The exported test split as TRM Lab examples (labels 0, the reference's ignore_label_id, unsupervised). */
function exportedTest(data: string): Example[] {
  const at = (k: string) => ints(join(data, 'test', `all__${k}.npy`));
  const [inputs, labels, ids, index] = [at('inputs'), at('labels'), at('puzzle_identifiers'), at('puzzle_indices')];
  const L = inputs.shape[1];
  // Puzzle p owns examples puzzle_indices[p] … puzzle_indices[p + 1] − 1.
  const puzzleIds = ids.values.flatMap((id, p) => new Array<number>(index.values[p + 1] - index.values[p]).fill(id));
  return puzzleIds.map((puzzleId, i) => ({
    inputs: Int32Array.from(inputs.values.slice(i * L, (i + 1) * L)),
    labels: Int32Array.from(labels.values.slice(i * L, (i + 1) * L), (v) => (v === 0 ? IGNORE_LABEL : v)),
    puzzleId,
  }));
}

/** TRM Lab's predictions and per-step exact accuracy for the checkpoint at `file` on `examples` (CPU, float64). */
async function labEvaluate(file: string, examples?: Example[]) {
  const ck = await loadCheckpointFile(file);
  const cfg = ck.meta.config;
  const source = createSource(cfg.data, cfg.seed);
  const trainer = new Trainer(cpu, cfg, { ...source, info: ck.meta.data });
  restoreCheckpoint(trainer, ck);
  const held = examples ?? source.evalExamples();
  return { ck, held, result: await trainer.evaluate(held, { predictions: true }) };
}

const data = join(dir, 'data'), run = join(dir, 'run');
const ckpt = join(run, 'step_300');
/** The same weights as torch.save writes them in bfloat16, with the same all_config.yaml beside them. */
const bf16 = join(dir, 'bf16', 'step_300');

describe('a checkpoint the twin trained', () => {
  beforeAll(() => {
    const exported = runCli('export-data', ['--preset', 'sudoku-4x4', '--data.trainPuzzles', '200', '--data.testPuzzles', '40', '--num-aug', '3', '--out', data]);
    expect(exported.code, exported.stderr).toBe(0);
    runPython([join(TWIN, 'train.py'), '--data', data, '--out', run, '--hidden', '32', '--T', '2', '--n', '2', '--n-sup', '4',
      '--batch', '32', '--steps', '300', '--eval-every', '300', '--warmup', '20', '--threads', '1']);
    mkdirSync(join(dir, 'bf16'));
    copyFileSync(join(run, 'all_config.yaml'), join(dir, 'bf16', 'all_config.yaml'));
    runPython(['-c', 'import sys, torch; sd = torch.load(sys.argv[1]); torch.save({k: v.to(torch.bfloat16) for k, v in sd.items()}, sys.argv[2])', ckpt, bf16]);
  }, 600_000);

  it('evaluates in TRM Lab to the twin’s predictions and per-step accuracy', { timeout: 600_000 }, async () => {
    const twinByStep = new Map<string, number[]>();
    for (const [what, file] of [['float32', ckpt], ['bfloat16', bf16]]) {
      const preds = join(dir, `twin-${what}.npy`);
      const twin = JSON.parse(runPython([join(TWIN, 'evaluate.py'), '--checkpoint', file, '--data', data, '--dtype', 'float64', '--predictions', preds, '--threads', '1']));
      // The twin learned something, or equal accuracies would say little.
      expect(twin.tokenAccuracy).toBeGreaterThan(0.5);

      const { ck, held, result: lab } = await labEvaluate(file);
      expect(ck.meta.config.model).toMatchObject({ hidden: 32, T: 2, n: 2, nSup: 4, swigluMultiple: 8 });
      // TRM Lab's held-out split is the exported test/ split, row for row.
      const inputs = ints(join(data, 'test', 'all__inputs.npy'));
      expect(held.length).toBe(inputs.shape[0]);
      held.forEach((ex, i) => expect(Array.from(ex.inputs)).toEqual(inputs.values.slice(i * ex.inputs.length, (i + 1) * ex.inputs.length)));

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

  it('without all_config.yaml: TRM Lab infers the config from the shapes and the reference defaults, and predicts what the twin predicts under it', { timeout: 600_000 }, async () => {
    const examples = exportedTest(data);
    // float32 weights here; e2e/pytorch-predictions.spec.ts opens bfloat16 ones without the file in the page.
    for (const [what, from] of [['float32', ckpt]]) {
      const bare = join(dir, `bare-${what}`);
      mkdirSync(bare);
      const file = join(bare, 'step_300');
      copyFileSync(from, file);
      const { ck, result: lab } = await labEvaluate(file, examples);
      // What the weights fix, as trained; the recursion's counts are the reference's arch defaults (trm.yaml).
      expect(ck.meta.config.model, what).toMatchObject({ variant: 'mlp', hidden: 32, layers: 2, puzzleEmbLen: 1, puzzleEmbDim: 32, T: 3, n: 6, nSup: 16 });
      expect(ck.meta.config.data, what).toMatchObject({ kind: 'sudoku', size: 4 });
      const config = join(bare, 'inferred.json');
      writeFileSync(config, JSON.stringify(ck.meta.config));
      const preds = join(bare, 'twin.npy');
      const twin = JSON.parse(runPython([join(TWIN, 'evaluate.py'), '--checkpoint', file, '--data', data, '--lab-config', config, '--dtype', 'float64', '--predictions', preds, '--threads', '1']));
      expect(twin.exactByStep).toHaveLength(16);
      expect(Array.from(lab.predictions!), what).toEqual(ints(preds).values);
      expect(lab.exactByStep, what).toEqual(twin.exactByStep);
      console.log(`twin-trained 4×4 Sudoku without all_config.yaml (${what}), ${examples.length} held-out, T 3 n 6 N_sup 16: exact by step ${lab.exactByStep.map((v) => (100 * v).toFixed(1)).join(' ')}`);
    }
  });
});
