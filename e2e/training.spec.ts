import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openPlayground, stepOf, tinyRun } from './helpers';

test('a tiny training run updates the charts; pause and resume; reload resumes the run with its charts', async ({ page }, info) => {
  await openPlayground(page);
  await tinyRun(page);
  await page.getByTestId('train-start').click();
  await expect.poll(() => stepOf(page), { timeout: 180_000 }).toBeGreaterThanOrEqual(6);
  await expect.poll(async () => Number(await page.getByTestId('chart-loss').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-state')).toHaveText('paused', { timeout: 60_000 });
  const paused = await stepOf(page);
  await page.waitForTimeout(3000);
  expect(await stepOf(page)).toBe(paused);
  await page.screenshot({ path: info.outputPath('training-paused.png') });
  await page.getByTestId('train-start').click();
  await expect.poll(() => stepOf(page), { timeout: 120_000 }).toBeGreaterThan(paused);
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-state')).toHaveText('paused', { timeout: 60_000 });
  const before = await stepOf(page);
  await expect(page.getByTestId('train-storage')).toContainText(`· step ${before}`, { timeout: 60_000 });
  await page.reload();
  await expect(page.getByTestId('recursion-viewer')).toBeVisible({ timeout: 180_000 });
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBe(before);
  await expect.poll(async () => Number(await page.getByTestId('chart-loss').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: info.outputPath('training-reloaded.png') });
});

test('checkpoint export and import round trip', async ({ page }, info) => {
  await openPlayground(page);
  const download = page.waitForEvent('download');
  await page.getByTestId('checkpoint-export').click();
  const file = await (await download).path();
  const bytes = readFileSync(file);
  expect(bytes.length).toBeGreaterThan(1000);
  await page.getByTestId('checkpoint-import').setInputFiles({ name: 'roundtrip.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByTestId('train-step')).toHaveText(/^step (\d+) \/ \1$/, { timeout: 60_000 }); // the shipped model, at its last step
  await expect(page.getByTestId('recursion-viewer')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('checkpoint-import').setInputFiles({ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a checkpoint') });
  await expect(page.getByTestId('train-error-checkpoint')).toContainText(/junk\.safetensors/, { timeout: 30_000 });
  await page.screenshot({ path: info.outputPath('checkpoint-roundtrip.png') });
});
