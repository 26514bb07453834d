import { expect, test } from '@playwright/test';
import { openPlayground, readGrid, stepOf, tinyArcRun } from './helpers';

/** A new task (mirror left-right) the model never saw; every grid fits the 6×6 canvas (5×5 plus the EOS bars). */
const TASK = {
  train: [
    { input: [[1, 0, 0], [2, 2, 0]], output: [[0, 0, 1], [0, 2, 2]] },
    { input: [[3, 0], [0, 4], [5, 0]], output: [[0, 3], [4, 0], [0, 5]] },
    { input: [[6, 6, 0, 0]], output: [[0, 0, 6, 6]] },
  ],
  test: [{ input: [[7, 0, 0], [0, 8, 0]], output: [[0, 0, 7], [0, 8, 0]] }],
};

test('ARC: train a tiny model, solve a new task by voting, Adapt with progress, solve again (pass@2 checked), watch the recursion', async ({ page }, info) => {
  await openPlayground(page);
  // (a) of the brief: a few steps of a tiny ARC model trained in the page; the flow must work, not score.
  await tinyArcRun(page, { 'data.augmentations': '4', 'model.layers': '1' });
  await page.getByTestId('train-start').click();
  await expect.poll(() => stepOf(page), { timeout: 180_000 }).toBeGreaterThanOrEqual(3);
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-state')).toHaveText('paused', { timeout: 60_000 });

  await page.getByTestId('tab-edit').click();
  await page.getByTestId('arc-import').setInputFiles({ name: 'mirror.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(TASK)) });
  await expect(page.getByTestId('arc-notice')).toContainText('loaded mirror.json');
  await expect(page.getByTestId('arc-pair-train-2')).toBeVisible();

  const candidates = page.getByTestId('arc-candidates');
  const attempts = candidates.locator('[data-testid^="arc-candidate-"]');
  const verdict = page.getByTestId('arc-verdict');
  // Solve before adapting: the run's model with a blank puzzle embedding, voted over 1 + 4 versions.
  await page.getByTestId('arc-solve').click();
  await expect(candidates).toContainText('voted by 5 augmented versions (blank puzzle embedding)', { timeout: 120_000 });
  await expect(verdict).toHaveText(/pass@2: (solved|not solved)/);

  // Adapt: test-time training of the task's puzzle embedding, with progress, then its own voted answers.
  await page.getByTestId('arc-adapt-steps').fill('12');
  await page.getByTestId('arc-adapt').click();
  await expect(page.getByTestId('arc-progress')).toContainText(/adapting: step \d+\/12 · loss \d/, { timeout: 120_000 });
  await expect(page.getByTestId('arc-model')).toContainText('Adapted to this task (12 steps)', { timeout: 180_000 });
  await expect(page.getByTestId('arc-progress')).toHaveCount(0);
  await expect(candidates).toContainText('(adapted model)');
  // Solve again with the adapted model.
  await page.getByTestId('arc-solve').click();
  await expect(page.getByTestId('arc-progress')).toHaveCount(0, { timeout: 120_000 });
  await expect(candidates).toContainText('voted by 5 augmented versions (adapted model)');
  const n = await attempts.count();
  expect(n).toBeGreaterThanOrEqual(1);
  expect(n).toBeLessThanOrEqual(2);
  // Each attempt is checked against the known test output, and pass@2 follows from them.
  const truth = TASK.test[0].output;
  let any = false;
  for (let k = 0; k < n; k++) {
    const right = JSON.stringify(await readGrid(page.getByTestId(`arc-attempt-${k}`))) === JSON.stringify(truth);
    await expect(attempts.nth(k)).toHaveAttribute('data-correct', String(right));
    any ||= right;
  }
  await expect(verdict).toHaveText(any ? 'pass@2: solved' : 'pass@2: not solved');
  await verdict.scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('arc-adapt-solve.png') });

  // The recursion of the test input under the adapted model, with its target.
  await page.getByTestId('arc-watch').click();
  await expect(page.getByTestId('recursion-viewer')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('viewer-readout')).toContainText('step 1/2', { timeout: 60_000 });
  const target = await readGrid(page.getByTestId('viewer-target').getByRole('grid'));
  expect(target.slice(0, 2).map((r) => r.slice(0, 3))).toEqual(truth.map((r) => r.map((v) => v + 2))); // colour c is token c + 2
  await page.screenshot({ path: info.outputPath('arc-recursion.png') });

  // Back in the editor: the task and its results are still there.
  await page.getByTestId('tab-edit').click();
  await expect(page.getByTestId('arc-pair-train-2')).toBeVisible();
  await expect(page.getByTestId('arc-model')).toContainText('Adapted to this task');
  await expect(verdict).toHaveText(/pass@2: (solved|not solved)/);
});
