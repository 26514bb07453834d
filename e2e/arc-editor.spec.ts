import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { cellOf, drag, openPlayground, readGrid, tinyArcRun } from './helpers';

const flipX = (g: number[][]) => g.map((row) => [...row].reverse());
const rotateCw = (g: number[][]) => g[0].map((_, c) => g.map((row) => row[c]).reverse());

async function key(page: Page, k: string) {
  await page.keyboard.press(k);
}

test('ARC editor: draw, fill, select and copy/paste, flip, rotate, resize, colour keys, undo/redo; build a task', async ({ page }, info) => {
  await openPlayground(page);
  await tinyArcRun(page);
  await expect(page.getByTestId('model-kind')).toHaveText(/ARC tasks on a 6×6 canvas/, { timeout: 60_000 });
  await page.getByTestId('tab-edit').click();
  const editor = page.getByTestId('arc-editor');
  const grid = page.getByTestId('arc-input'); // demonstration 1 input, blank 3×3
  const state = () => readGrid(grid);
  await expect.poll(state).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);

  // Colour by key, then draw a stroke with the mouse.
  await editor.focus();
  await key(page, '2');
  await expect(page.getByTestId('colour-2')).toHaveAttribute('aria-checked', 'true');
  await drag(page, cellOf(grid, 0, 0), cellOf(grid, 0, 2));
  await expect.poll(state).toEqual([[2, 2, 2], [0, 0, 0], [0, 0, 0]]);

  // Flood fill the black region with 3, put a 4 in the middle.
  await key(page, 'f');
  await key(page, '3');
  await cellOf(grid, 2, 2).click();
  await expect.poll(state).toEqual([[2, 2, 2], [3, 3, 3], [3, 3, 3]]);
  await key(page, 'd');
  await key(page, '4');
  await cellOf(grid, 1, 1).click();
  await expect.poll(state).toEqual([[2, 2, 2], [3, 4, 3], [3, 3, 3]]);

  // Undo and redo by keys (the fill and the dot are separate steps).
  await key(page, 'Control+z');
  await expect.poll(state).toEqual([[2, 2, 2], [3, 3, 3], [3, 3, 3]]);
  await key(page, 'Control+z');
  await expect.poll(state).toEqual([[2, 2, 2], [0, 0, 0], [0, 0, 0]]);
  await key(page, 'Control+Shift+z');
  await key(page, 'Control+Shift+z');
  await expect.poll(state).toEqual([[2, 2, 2], [3, 4, 3], [3, 3, 3]]);

  // Rectangle select the top-left 2×2, copy (C), select the centre cell, paste (V).
  await key(page, 's');
  await drag(page, cellOf(grid, 0, 0), cellOf(grid, 1, 1));
  await expect(grid.locator('.g-selected')).toHaveCount(4);
  await key(page, 'c');
  await expect(page.getByTestId('arc-notice')).toContainText('copied 2×2');
  await cellOf(grid, 1, 1).click();
  await key(page, 'v');
  await expect.poll(state).toEqual([[2, 2, 2], [3, 2, 2], [3, 3, 4]]);

  // Whole-grid flip (X) and rotation (R) once the selection is dropped (Esc).
  await key(page, 'Escape');
  await expect(grid.locator('.g-selected')).toHaveCount(0);
  let g = await state();
  await key(page, 'x');
  await expect.poll(state).toEqual(flipX(g));
  g = await state();
  await page.getByRole('button', { name: 'Rotate ⟳' }).click();
  await expect.poll(state).toEqual(rotateCw(g));

  // Resize to 2×4 (content kept at the top-left), then rotate: 4×2.
  g = await state();
  await page.getByTestId('arc-size').fill('2x4');
  await page.getByTestId('arc-size').press('Enter');
  await expect(grid).toHaveAttribute('data-w', '4');
  const resized = [[...g[0], 0], [...g[1], 0]];
  await expect.poll(state).toEqual(resized);
  await editor.focus();
  await key(page, 'r');
  await expect(grid).toHaveAttribute('data-h', '4');
  await expect.poll(state).toEqual(rotateCw(resized));

  // Build the task: the output of demonstration 1 is its input flipped; a test input with a known output.
  const input1 = await state();
  await page.getByRole('button', { name: 'Copy from input' }).click();
  const output = page.getByTestId('arc-output');
  await expect.poll(() => readGrid(output)).toEqual(input1);
  await editor.focus();
  await key(page, 'x');
  await expect.poll(() => readGrid(output)).toEqual(flipX(input1));
  // A second demonstration (it takes the size of the last one): a column of 5s, flipped in the output.
  await page.getByRole('button', { name: '+ demonstration' }).click();
  await expect(page.getByTestId('arc-pair-train-1')).toHaveAttribute('class', /arc-pair-on/);
  await expect(grid).toHaveAttribute('data-h', '4');
  await editor.focus();
  await key(page, 'd');
  await key(page, '5');
  await drag(page, cellOf(grid, 0, 0), cellOf(grid, 3, 0));
  const input2 = [[5, 0], [5, 0], [5, 0], [5, 0]];
  await expect.poll(state).toEqual(input2);
  await page.getByRole('button', { name: 'Copy from input' }).click();
  await editor.focus();
  await key(page, 'x');
  await expect.poll(() => readGrid(output)).toEqual(flipX(input2));
  // A test pair added by mistake and removed; the test input the task started with, with a known output.
  await page.getByRole('button', { name: '+ test input' }).click();
  await expect(page.getByTestId('arc-pair-test-1')).toBeVisible();
  await page.getByRole('button', { name: 'Remove test 2' }).click();
  await expect(page.getByTestId('arc-pair-test-1')).toHaveCount(0);
  await page.getByTestId('arc-pair-test-0').click();
  await expect(grid).toHaveAccessibleName('test 1 input');
  await editor.focus();
  await key(page, '1');
  await drag(page, cellOf(grid, 0, 2), cellOf(grid, 2, 2));
  const testIn = [[0, 0, 1], [0, 0, 1], [0, 0, 1]];
  await expect.poll(state).toEqual(testIn);
  await page.getByLabel('known test output (target)').check();
  await expect(output).toHaveAccessibleName('test 1 output');
  await drag(page, cellOf(output, 0, 0), cellOf(output, 2, 0));
  await expect.poll(() => readGrid(output)).toEqual(flipX(testIn));

  await page.getByLabel('Task name').fill('e2e-flip');
  await page.screenshot({ path: info.outputPath('arc-edit.png') });
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const task = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  expect(task).toEqual({
    train: [{ input: input1, output: flipX(input1) }, { input: input2, output: flipX(input2) }],
    test: [{ input: testIn, output: flipX(testIn) }],
  });
});
