import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { IDS, TEST_PUZZLES, writeArcReferenceCheckpoint, type ArcReferenceFiles } from '../test/helpers/arc-reference-checkpoint';
import { openPlayground, readGrid } from './helpers';

// The hand-made reference ARC checkpoint of the CLI's `eval --identifiers` test: it swaps colours 1 and 2 in
// whatever frame it sees, and each puzzle row has its own confidence.
const dir = mkdtempSync(join(tmpdir(), 'trm-e2e-ids-'));
let files: ArcReferenceFiles;
test.beforeAll(() => {
  files = writeArcReferenceCheckpoint(dir);
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });

async function loadTask(page: Page, id: keyof typeof TEST_PUZZLES): Promise<void> {
  await page.getByTestId('arc-import').setInputFiles(json(`${id}.json`, TEST_PUZZLES[id]));
  await expect(page.getByTestId('arc-notice')).toContainText(`loaded ${id}.json`);
}

test("a reference ARC checkpoint solves a task on its own augmented rows, given its dataset's identifiers.json", async ({ page }, info) => {
  await openPlayground(page);
  await page.getByTestId('checkpoint-import').setInputFiles([files.checkpoint, files.config]);
  await expect(page.getByTestId('checkpoint-opened-facts')).toContainText('step_10 · reference (PyTorch) checkpoint · step 10', { timeout: 60_000 });

  await page.getByTestId('tab-edit').click();
  await loadTask(page, 't1');
  const mode = page.getByTestId('arc-rows-mode');
  await expect(mode).toHaveText("Solve runs this task's embedding is unknown: the blank row (no identifiers.json picked)");

  // A file of another dataset: one line naming it, and the panel goes on as before.
  await page.getByTestId('arc-identifiers').setInputFiles(json('short.json', IDS.slice(0, 7)));
  await expect(page.getByTestId('arc-identifiers-error')).toHaveText(
    "short.json: names 7 puzzle ids, but the checkpoint's puzzle embedding has 8 rows; use the identifiers.json of the dataset it was trained on",
  );
  await expect(mode).toContainText('the blank row (no identifiers.json picked)');
  await page.getByTestId('arc-identifiers').setInputFiles(json('identifiers.json', IDS));
  await expect(mode).toHaveText("Solve runs this task's 4 augmented versions on their own rows (identifiers.json)");
  await expect(page.getByTestId('arc-identifiers-error')).toHaveCount(0);

  // t1 under its 4 versions: the two whose colour maps keep 1 and 2 predict the answer on the less confident rows
  // (0.2, 0.3), the two that move them predict the input on the more confident ones (0.9, 0.8): a 2–2 tie, won by
  // the input; pass@2 still solves it.
  const candidates = page.getByTestId('arc-candidates');
  await page.getByTestId('arc-solve').click();
  await expect(candidates).toContainText('Test 1: 2 candidates voted by 4 augmented versions (their own rows, identifiers.json)', { timeout: 120_000 });
  expect(await readGrid(page.getByTestId('arc-attempt-0'))).toEqual([[1, 2], [3, 0]]);
  expect(await readGrid(page.getByTestId('arc-attempt-1'))).toEqual([[2, 1], [3, 0]]);
  await expect(page.getByTestId('arc-candidate-0')).toHaveAttribute('data-correct', 'false');
  await expect(page.getByTestId('arc-candidate-1')).toHaveAttribute('data-correct', 'true');
  await expect(page.getByTestId('arc-candidate-0')).toContainText('2/4 votes');
  await expect(page.getByTestId('arc-candidate-1')).toContainText('2/4 votes');
  await expect(page.getByTestId('arc-verdict')).toHaveText('pass@2: solved');
  await page.getByTestId('arc-verdict').scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('arc-identifiers-t1.png') });

  // t2 has no row: once, unaugmented, on the blank row, as `eval --identifiers` runs it.
  await loadTask(page, 't2');
  await expect(mode).toHaveText("Solve runs this task's embedding is unknown: the blank row (identifiers.json names no version of it)");
  await page.getByTestId('arc-solve').click();
  await expect(candidates).toContainText('Test 1: 1 candidate voted by 1 version (blank puzzle embedding)', { timeout: 120_000 });
  expect(await readGrid(page.getByTestId('arc-attempt-0'))).toEqual([[1, 1, 2]]);
  await expect(page.getByTestId('arc-candidate-0')).toContainText('1/1 votes');
  await expect(page.getByTestId('arc-verdict')).toHaveText('pass@2: solved');
  await page.getByTestId('arc-verdict').scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('arc-identifiers-t2.png') });
});
