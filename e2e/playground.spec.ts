import { expect, test } from '@playwright/test';
import { openPlayground, readGrid } from './helpers';

test('first load: the first shipped model refines a held-out puzzle, and the scrubber steps through it', async ({ page }, info) => {
  await openPlayground(page);
  await expect(page.getByTestId('model-kind')).toHaveText(/6×6 Sudoku/);
  await expect(page.getByTestId('train-backend')).toBeVisible();
  const readout = page.getByTestId('viewer-readout');
  await page.getByTestId('viewer-play').click(); // pause the autoplay
  await page.getByTestId('recursion-viewer').focus();
  await page.keyboard.press('Home');
  const first = await readout.getAttribute('data-frame');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(readout).not.toHaveAttribute('data-frame', first ?? '');
  await page.keyboard.press('End');
  await expect(readout).toContainText('step 8/8');
  await page.screenshot({ path: info.outputPath('first-load.png') });
});

test('edit a Sudoku with mouse and keys, undo and redo, then solve it and watch the recursion', async ({ page }, info) => {
  await openPlayground(page);
  await page.getByTestId('tab-edit').click();
  const board = page.getByTestId('sudoku-board');
  await expect(board).toBeVisible();
  const cell = board.locator('[data-r="0"][data-c="0"]');
  await cell.click();
  await page.keyboard.press('3');
  await expect(cell).toHaveAttribute('data-v', '3');
  await page.keyboard.press('Control+z');
  await expect(cell).toHaveAttribute('data-v', '0');
  await page.keyboard.press('Control+Shift+z');
  await expect(cell).toHaveAttribute('data-v', '3');
  await board.locator('[data-r="1"][data-c="2"]').click();
  await page.keyboard.press('1');
  await page.screenshot({ path: info.outputPath('sudoku-edit.png') });
  await page.getByTestId('sudoku-solve').click();
  await expect(page.getByTestId('recursion-viewer')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('viewer-readout')).toBeVisible();
  await page.screenshot({ path: info.outputPath('sudoku-solved.png') });
  // Solve switched to the Recursion tab, which unmounted the editor: coming back shows the board as it was left.
  await page.getByTestId('tab-edit').click();
  await expect(cell).toHaveAttribute('data-v', '3');
  await expect(board.locator('[data-r="1"][data-c="2"]')).toHaveAttribute('data-v', '1');
  await expect(page.getByRole('button', { name: 'Undo' })).toBeEnabled(); // the history came back too
});

test('a shared URL restores the view: same model, same puzzle', async ({ page, context }, info) => {
  await openPlayground(page);
  await expect.poll(() => page.evaluate(() => location.hash), { timeout: 30_000 }).toMatch(/puzzle/);
  const url = page.url();
  const input = await readGrid(page.getByTestId('viewer-input').getByRole('grid'));
  const other = await context.newPage();
  await openPlayground(other, url.replace(/^https?:\/\/[^/]+/, ''));
  expect(await readGrid(other.getByTestId('viewer-input').getByRole('grid'))).toEqual(input);
  await other.screenshot({ path: info.outputPath('shared-url.png') });
});

test('a malformed task file gives an error naming it, and nothing loaded is lost', async ({ page }, info) => {
  await openPlayground(page);
  await page.getByTestId('tab-datasets').click();
  const count = await page.getByTestId('datasets-count').innerText();
  await page.getByTestId('datasets-file-input').setInputFiles([
    { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[1]]}]}') },
  ]);
  const err = page.getByTestId('datasets-error').filter({ hasText: 'broken.json' });
  await expect(err).toContainText(/broken\.json: task broken, train pair 0, input/);
  await expect(page.getByTestId('datasets-count')).toHaveText(count);
  await page.screenshot({ path: info.outputPath('malformed-file.png') });
});
