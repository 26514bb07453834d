import { expect, test } from '@playwright/test';
import { openPlayground } from './helpers';

test('a paper preset shows how long it would take on this device before Start, with a warning; a small one updates it', async ({ page }, info) => {
  test.setTimeout(300_000);
  await openPlayground(page);
  await page.getByTestId('train-preset').selectOption('paper-sudoku-extreme-mlp');
  // Scrolling the controls into view starts the one measurement of this device.
  await page.getByTestId('train-start').scrollIntoViewIfNeeded();
  const estimate = page.getByTestId('train-estimate');
  await expect(estimate).toContainText(/^≈ .+ on this device \(.+ s per step × 65104 steps/, { timeout: 180_000 });
  await expect(page.getByTestId('train-estimate-long')).toContainText('Over an hour on this device');
  await expect(page.getByTestId('train-state')).not.toHaveText('running');
  await page.screenshot({ path: info.outputPath('estimate-paper.png') });
  const paper = await estimate.textContent();
  await page.getByTestId('train-preset').selectOption('sudoku-4x4');
  await expect(estimate).toContainText('× 2000 steps');
  expect(await estimate.textContent()).not.toBe(paper);
});
