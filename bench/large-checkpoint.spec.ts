import { test, type Page, type TestInfo } from '@playwright/test';
import { launchChromium } from '../test/helpers/browser';
import type { SyntheticFiles } from '../test/io/lazy-synthetic';
import { firstStep, openArcFile, openSudokuFile, report, TASK, writeLargeCheckpoints } from '../e2e/large-checkpoint-kit';

// The open-time benchmark (npm run bench:open): published-size synthetic checkpoints, from choosing the file in the
// page to the first recursion step drawn, with bytes read and peak memory. Numbers only; on a software adapter one
// D 512 step takes minutes.
test.describe.configure({ mode: 'serial' });

let arc: SyntheticFiles, sudoku: SyntheticFiles, remove: () => void;
test.beforeAll(() => ({ arc, sudoku, remove } = writeLargeCheckpoints()));
test.afterAll(() => remove());

/**
 * A page in a browser of its own: a closed page's GPU work is not cancelled, and the last case's D 512 trace would
 * keep a shared GPU process busy for minutes after its first step was timed.
 */
async function freshPage(info: TestInfo): Promise<{ page: Page; close: () => Promise<void> }> {
  const browser = await launchChromium();
  const context = await browser.newContext({ baseURL: info.project.use.baseURL, viewport: info.project.use.viewport });
  return { page: (await context.newPage()) as unknown as Page, close: () => browser.close() };
}

test('ARC-shaped checkpoint: from choosing the file to the first recursion step drawn', async ({}, info) => {
  test.setTimeout(60 * 60_000);
  const { page, close } = await freshPage(info);
  const { p, t0 } = await openArcFile(page, arc);

  await page.getByTestId('tab-edit').click();
  await page.getByTestId('arc-import').setInputFiles({ name: 'task.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(TASK)) });
  await page.getByTestId('arc-watch').click();
  const first = await firstStep(page, t0, 40 * 60_000);
  await page.screenshot({ path: info.outputPath('large-arc-first-step.png'), fullPage: true });
  report('ARC-shaped file, first step', { 'first step drawn in': `${first} ms`, ...(await p.peaks()) });
  p.stop();
  await close();
});

test('Sudoku-Extreme-shaped checkpoint: from choosing the file to the first recursion step drawn', async ({}, info) => {
  test.setTimeout(30 * 60_000);
  const { page, close } = await freshPage(info);
  const { p, t0 } = await openSudokuFile(page, sudoku);
  const first = await firstStep(page, t0, 25 * 60_000);
  await page.screenshot({ path: info.outputPath('large-sudoku-first-step.png'), fullPage: true });
  report('Sudoku-Extreme-shaped file, first step', { 'first step drawn in': `${first} ms`, ...(await p.peaks()) });
  p.stop();
  await close();
});
