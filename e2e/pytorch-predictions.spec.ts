import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { sudokuVocabSize } from '../src/data/sudoku';
import { encodeNpy, parseNpy } from '../src/io/npy';
import { MemorySink, writeReferenceDataset, type PuzzleDatasetMetadata } from '../src/io/reference-dataset';
import { getPreset } from '../src/trm/presets';
import { runPython } from '../test/helpers/python';
import { openPlayground, readGrid } from './helpers';

/**
 * The page predicts what PyTorch predicts. The PyTorch twin trains a small 6×6 Sudoku model (RoPE attention) at the
 * reference's recursion defaults (H_cycles 3, L_cycles 6, halt_max_steps 16, puzzle_emb_len 16, one head at hidden
 * 32), the config TRM Lab infers when no all_config.yaml comes with the weights. Its checkpoint, as torch.save wrote
 * it and converted to bfloat16, is opened in the page with and without all_config.yaml; each time the answer y after
 * the last supervision step in the recursion viewer equals, cell for cell, the twin's prediction (float32) for the
 * puzzle the viewer shows. (A model run under counts it was not trained with amplifies float32 rounding until the
 * twin's own float32 and float64 answers differ: then no float32 implementation can be held to PyTorch's.)
 */
const TWIN = 'twin';
const dir = mkdtempSync(join(tmpdir(), 'trm-page-pytorch-'));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STEP = 300;
const VOCAB = sudokuVocabSize(6);

/**
 * A 6×6 Sudoku dataset in the reference's layout, as export-data writes it. (Not 4×4: without all_config.yaml its
 * vocabulary of 6 reads as the reference's 30×30 mazes.)
 */
function exportSudokus(): string {
  const cfg = getPreset('sudoku-6x6');
  cfg.data = { kind: 'sudoku', size: 6, difficulty: 1, trainPuzzles: 200, testPuzzles: 40, augment: true };
  const sink = new MemorySink();
  writeReferenceDataset(cfg, { sudokuAugmentations: 3 }, sink);
  const at = join(dir, 'sudoku-6x6');
  for (const [path, content] of sink.files) {
    mkdirSync(dirname(join(at, path)), { recursive: true });
    writeFileSync(join(at, path), content);
  }
  return at;
}

/** The twin's step_N with its all_config.yaml, and the same weights in bfloat16 in a folder of their own with the same yaml. */
function trainTwin(): Record<'float32' | 'bfloat16', string> {
  const f32 = join(dir, 'float32'), bf16 = join(dir, 'bfloat16');
  runPython([join(TWIN, 'train.py'), '--data', exportSudokus(), '--out', f32, '--variant', 'attention', '--hidden', '32', '--heads', '1',
    '--puzzle-emb-len', '16', '--T', '3', '--n', '6', '--n-sup', '16', '--batch', '16', '--steps', String(STEP), '--eval-every', String(STEP), '--warmup', '20', '--threads', '1']);
  mkdirSync(bf16);
  copyFileSync(join(f32, 'all_config.yaml'), join(bf16, 'all_config.yaml'));
  runPython(['-c', 'import sys, torch; sd = torch.load(sys.argv[1]); torch.save({k: v.to(torch.bfloat16) for k, v in sd.items()}, sys.argv[2])', join(f32, `step_${STEP}`), join(bf16, `step_${STEP}`)]);
  return { float32: f32, bfloat16: bf16 };
}

/** A reference-layout dataset folder whose test split is the one puzzle `inputs` (tokens; its labels are not scored). */
function oneInputDataset(inputs: number[], vocab: number): string {
  const at = mkdtempSync(join(dir, 'data-'));
  mkdirSync(join(at, 'test'));
  const meta: PuzzleDatasetMetadata = {
    pad_id: 0, ignore_label_id: 0, blank_identifier_id: 0, vocab_size: vocab, seq_len: inputs.length,
    num_puzzle_identifiers: 1, total_groups: 1, mean_puzzle_examples: 1, total_puzzles: 1, sets: ['all'],
  };
  writeFileSync(join(at, 'test', 'dataset.json'), JSON.stringify(meta));
  const npy = (name: string, a: Parameters<typeof encodeNpy>[0]) => writeFileSync(join(at, 'test', `all__${name}.npy`), encodeNpy(a));
  npy('inputs', { dtype: 'uint8', shape: [1, inputs.length], data: Uint8Array.from(inputs) });
  npy('labels', { dtype: 'uint8', shape: [1, inputs.length], data: Uint8Array.from(inputs) });
  npy('puzzle_identifiers', { dtype: 'int32', shape: [1], data: Int32Array.from([0]) });
  npy('puzzle_indices', { dtype: 'int32', shape: [2], data: Int32Array.from([0, 1]) });
  npy('group_indices', { dtype: 'int32', shape: [2], data: Int32Array.from([0, 1]) });
  return at;
}

/** The viewer's input and its answer y at the last frame (the last y update of the last supervision step). */
async function finalAnswer(page: Page, m: { T: number; n: number; nSup: number }): Promise<{ input: number[]; y: number[] }> {
  const readout = page.getByTestId('viewer-readout');
  const frames = m.nSup * m.T * (m.n + 1);
  await expect(readout).toHaveAttribute('data-frames', String(frames), { timeout: 180_000 });
  await page.getByTestId('recursion-viewer').focus();
  // The playback takes in newly arrived frames a render later than the trace: press End until it lands on the last.
  await expect.poll(async () => {
    await page.keyboard.press('End');
    return readout.getAttribute('data-frame');
  }).toBe(String(frames - 1));
  await expect(readout).toContainText(`step ${m.nSup}/${m.nSup} · cycle ${m.T}/${m.T} · update ${m.n + 1}/${m.n + 1} (answer y)`);
  return {
    input: (await readGrid(page.getByTestId('viewer-input').getByRole('grid'))).flat(),
    y: (await readGrid(page.getByTestId('viewer-y').getByRole('grid'))).flat(),
  };
}

test('a torch.save checkpoint, float32 and bfloat16, with and without all_config.yaml: the page predicts what PyTorch predicts', async ({ browser }, info) => {
  test.setTimeout(600_000);
  const folders = trainTwin();
  for (const dtype of ['float32', 'bfloat16'] as const) {
    for (const withYaml of [true, false]) {
      const what = `${dtype}, ${withYaml ? 'with' : 'without'} all_config.yaml`;
      // A fresh page each time: the trace it shows before the checkpoint opens is the first shipped model's (24
      // frames, not this model's 336), so the one read below is the opened checkpoint's.
      const context = await browser.newContext({ baseURL: info.project.use.baseURL, viewport: info.project.use.viewport });
      const page = await context.newPage();
      await openPlayground(page);
      const facts = page.getByTestId('checkpoint-opened-facts');
      const notes = page.getByTestId('checkpoint-opened-notes');
      const files = [join(folders[dtype], `step_${STEP}`), ...(withYaml ? [join(folders[dtype], 'all_config.yaml')] : [])];
      await page.getByTestId('checkpoint-import').setInputFiles(files);
      await expect(facts, what).toContainText(`step_${STEP} · reference (PyTorch) checkpoint · step ${STEP}`, { timeout: 60_000 });
      await expect(notes, what).toContainText(withYaml ? 'config: the TRM Lab config recorded in all_config.yaml' : 'config: no all_config.yaml beside the checkpoint, so inferred from the shapes');
      await expect(page.getByTestId('model-kind'), what).toHaveText(/6×6 Sudoku/);
      const config = JSON.parse((await page.getByTestId('checkpoint-opened-config').textContent()) ?? '');
      expect(config.model, what).toMatchObject({ variant: 'attention', hidden: 32, heads: 1, T: 3, n: 6, nSup: 16, puzzleEmbLen: 16, posEncoding: 'rope' });
      const { input, y } = await finalAnswer(page, config.model);
      if (dtype === 'float32' && !withYaml) await page.screenshot({ path: info.outputPath('pytorch-predictions.png') });

      const data = oneInputDataset(input, VOCAB);
      const preds = join(data, 'twin.npy');
      // The twin reads the all_config.yaml it wrote, else it runs the config the page inferred.
      const labConfig = join(data, 'config.json');
      writeFileSync(labConfig, JSON.stringify(config));
      runPython([join(TWIN, 'evaluate.py'), '--checkpoint', files[0], '--data', data, '--dtype', 'float32', '--predictions', preds, '--threads', '1', ...(withYaml ? [] : ['--lab-config', labConfig])]);
      const twin = Array.from(parseNpy(new Uint8Array(readFileSync(preds)), preds).data as Int32Array);
      console.log(`[pytorch-predictions] ${what}: T ${config.model.T} n ${config.model.n} N_sup ${config.model.nSup}; page y ${y.join('')}; twin ${twin.join('')}`);
      expect(y, what).toEqual(twin);
      await context.close();
    }
  }
});
