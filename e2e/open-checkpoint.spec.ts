import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { parseCheckpoint } from '../src/io/checkpoint';
import { referenceStateDict } from '../src/io/reference-checkpoint';
import { referenceConfigYaml } from '../src/io/reference-config';
import { writeSafetensors, type SafeTensor } from '../src/io/safetensors';
import { writeTorchZip } from '../src/io/torch-checkpoint';
import { writeZip } from '../src/io/zip';
import { openPlayground, stepOf } from './helpers';

// The bundled model in the reference's layout, as export-checkpoint writes it, under a step number of its own so
// the page shows it is this checkpoint that was opened.
const STEP = 1234;
const bundled = parseCheckpoint(Uint8Array.from(readFileSync('public/models/sudoku-4x4/model.safetensors')), 'sudoku-4x4.safetensors');
const state = referenceStateDict(bundled);
const TORCH_ZIP = Buffer.concat(writeTorchZip(state, `step_${STEP}`));
const REF_SAFETENSORS = Buffer.from(writeSafetensors(new Map<string, SafeTensor>([...state].map(([k, t]) => [k, { dtype: 'F32', shape: t.shape, data: t.data }]))));
const YAML = referenceConfigYaml(bundled.meta.config, bundled.meta.data, STEP);
const HOSTILE = Buffer.concat(writeZip([{ name: 'step_1/data.pkl', data: Uint8Array.from([0x80, 2, ...Buffer.from('cposix\nsystem\n'), 0x2e]) }]));

/** A checkpoint host on another origin that honours single byte ranges (as Hugging Face's does), recording each request. */
async function serveCheckpoints(page: Page): Promise<{ method: string; path: string; range: string | undefined }[]> {
  const seen: { method: string; path: string; range: string | undefined }[] = [];
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'range', 'access-control-expose-headers': 'content-range, content-length' };
  const files: Record<string, Buffer | string> = { [`/org/model/resolve/main/step_${STEP}`]: TORCH_ZIP, '/org/model/resolve/main/all_config.yaml': YAML };
  await page.route('https://checkpoints.test/**', (route) => {
    const req = route.request();
    const path = new URL(req.url()).pathname;
    const range = req.headers()['range'];
    seen.push({ method: req.method(), path, range });
    if (req.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    const file = files[path];
    if (file === undefined) return route.fulfill({ status: 404, headers: cors, body: 'not found' });
    const bytes = Buffer.from(file);
    const m = range && /^bytes=(\d+)-(\d+)$/.exec(range);
    if (!m) return route.fulfill({ status: 200, headers: cors, body: bytes });
    const from = Number(m[1]), to = Math.min(Number(m[2]), bytes.length - 1);
    return route.fulfill({ status: 206, headers: { ...cors, 'content-range': `bytes ${from}-${to}/${bytes.length}` }, body: bytes.subarray(from, to + 1) });
  });
  return seen;
}

test('open a reference checkpoint by URL (range requests) and from files; broken ones leave the model as it was', async ({ page }, info) => {
  const seen = await serveCheckpoints(page);
  await openPlayground(page);
  const errors = page.getByTestId('train-error-checkpoint');
  const facts = page.getByTestId('checkpoint-opened-facts');

  // By URL: the torch.save archive read by ranges, its all_config.yaml found beside it.
  await page.getByTestId('checkpoint-url').fill(`https://checkpoints.test/org/model/resolve/main/step_${STEP}`);
  await page.getByTestId('checkpoint-url-open').click();
  await expect(facts).toContainText(`step_${STEP} · reference (PyTorch) checkpoint · step ${STEP}`, { timeout: 60_000 });
  await expect(facts).toContainText(/parameters · sudoku-4x4 \(16 tokens\) · training memory \d/);
  await expect(page.getByTestId('checkpoint-opened-notes')).toContainText('config: the TRM Lab config recorded in all_config.yaml');
  await expect.poll(() => stepOf(page)).toBe(STEP);
  const gets = seen.filter((r) => r.method === 'GET' && r.path.endsWith(`step_${STEP}`));
  expect(gets.length).toBeGreaterThan(1);
  expect(gets.every((r) => /^bytes=\d+-\d+$/.test(r.range ?? ''))).toBe(true);
  await expect(page.getByTestId('model-kind')).toHaveText(/4×4 Sudoku/);
  await expect(page.getByTestId('recursion-viewer')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('checkpoint-opened').getByText('Config (read-only)').click();
  await expect(page.getByTestId('checkpoint-opened-config')).toContainText('"hidden"');
  await page.screenshot({ path: info.outputPath('open-checkpoint-url.png'), fullPage: true });

  // A URL that fails, then a hostile pickle: one line each, and the model opened before stays.
  await page.getByTestId('checkpoint-url').fill('https://checkpoints.test/org/model/resolve/main/step_404');
  await page.getByTestId('checkpoint-url-open').click();
  await expect(errors).toHaveText(/"https:\/\/checkpoints\.test\/org\/model\/resolve\/main\/step_404": the server answered 404/);
  await page.getByTestId('checkpoint-import').setInputFiles({ name: 'step_1', mimeType: 'application/octet-stream', buffer: HOSTILE });
  await expect(errors).toHaveText(/step_1 \(data\.pkl\): refused pickle at byte 2: GLOBAL "posix\.system" is not allowed/);
  await page.getByTestId('checkpoint-import').setInputFiles({ name: 'step_9', mimeType: 'application/octet-stream', buffer: TORCH_ZIP.subarray(0, TORCH_ZIP.length - 50) });
  await expect(errors).toHaveText(/step_9: not a valid zip archive/);
  expect(Buffer.byteLength((await errors.textContent()) ?? '')).toBeLessThan(500);
  expect(await stepOf(page)).toBe(STEP);
  await expect(facts).toContainText(`step_${STEP}`);
  await page.screenshot({ path: info.outputPath('open-checkpoint-error.png'), fullPage: true });

  // Through the file chooser: reference safetensors without a config, inferred from its shapes.
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open a checkpoint…' }).click();
  await (await chooser).setFiles({ name: 'step_77.safetensors', mimeType: 'application/octet-stream', buffer: REF_SAFETENSORS });
  await expect(facts).toContainText('step_77.safetensors · reference (PyTorch) checkpoint · step 77', { timeout: 60_000 });
  await expect(errors).toHaveCount(0);
  await expect(page.getByTestId('checkpoint-opened-notes')).toContainText('config: no all_config.yaml beside the checkpoint, so inferred from the shapes');
  await expect.poll(() => stepOf(page)).toBe(77);

  // A TRM Lab checkpoint through the same chooser opens with its training state.
  await page.getByTestId('checkpoint-import').setInputFiles('public/models/sudoku-4x4/model.safetensors');
  await expect(facts).toContainText(`model.safetensors · TRM Lab checkpoint · step ${bundled.meta.step}`, { timeout: 60_000 });
  await expect.poll(() => stepOf(page)).toBe(bundled.meta.step);

  // Back to the inferred reference model, picked with nothing else.
  await page.getByTestId('checkpoint-import').setInputFiles({ name: 'step_77.safetensors', mimeType: 'application/octet-stream', buffer: REF_SAFETENSORS });
  await expect.poll(() => stepOf(page)).toBe(77);

  // The edit & solve tab runs the opened model.
  await page.getByTestId('tab-edit').click();
  await page.getByTestId('sudoku-board').locator('[data-r="0"][data-c="0"]').click();
  await page.keyboard.press('2');
  await page.getByTestId('sudoku-solve').click();
  await expect(page.getByTestId('recursion-viewer')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('viewer-readout')).toBeVisible();
  await page.screenshot({ path: info.outputPath('open-checkpoint-file.png'), fullPage: true });
});
