import { readFileSync } from 'node:fs';
import { expect, test, type Locator } from '@playwright/test';
import { parseCard, parseIndex } from '../src/models/catalog';
import { ARC_PALETTE } from '../src/ui/grid/symbols';
import { readGrid } from './helpers';

const [firstId] = parseIndex(readFileSync('public/models/index.json', 'utf8'));
const card = parseCard(readFileSync(`public/models/${firstId}/card.json`, 'utf8'));

/** Distinct fills of a grid's cells that are ARC palette colours. */
async function paletteColours(grid: Locator): Promise<string[]> {
  const fills = await grid.locator('[data-r]').evaluateAll((cells) => cells.map((c) => getComputedStyle(c).backgroundColor));
  const hex = (rgb: string) => '#' + (rgb.match(/\d+/g) ?? []).slice(0, 3).map((v) => Number(v).toString(16).padStart(2, '0')).join('').toUpperCase();
  return [...new Set(fills.map(hex))].filter((h) => (ARC_PALETTE as readonly string[]).includes(h));
}

test('first load: the first shipped model refines a featured puzzle in ARC colours, with its card and its log charted', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const t0 = Date.now();
  await page.goto('/');
  const viewer = page.getByTestId('recursion-viewer');
  await expect(viewer).toBeVisible({ timeout: 180_000 });
  const shownAt = Date.now();
  const answer = page.getByTestId('viewer-y').getByRole('grid');

  // Autoplay: the answer grid changes on screen by itself.
  await expect(answer).toBeVisible({ timeout: 30_000 });
  const firstAnswer = await readGrid(answer);
  await expect.poll(() => readGrid(answer), { timeout: 30_000, intervals: [100] }).not.toEqual(firstAnswer);
  console.log(`[first-load] viewer after ${shownAt - t0} ms; answer grid changed by itself ${Date.now() - shownAt} ms later (SwiftShader)`);

  await expect(page.getByTestId('model-picker')).toHaveValue(firstId);
  if (card.featured.length) await expect(page.getByTestId('puzzle-picker')).toHaveValue(String(card.featured[0]));
  await expect(page.getByTestId('viewer-caption')).toContainText('y');
  await expect(page.getByTestId('viewer-live')).toHaveCount(0, { timeout: 120_000 }); // every supervision step is in

  // σ(q_halt) per step and the answer at the end of the first and of the last step drawn.
  const bars = page.getByTestId('halt-strip').locator('g');
  const steps = await bars.count();
  const halt = await bars.locator('title').allTextContents();
  const q = halt.map((t) => Number(/= ([\d.]+)/.exec(t)![1]));
  console.log(`[first-load] σ(q_halt) by step: ${q.map((v) => v.toFixed(3)).join(' ')}`);
  expect(q.at(-1)!).toBeGreaterThan(q[0]);
  await bars.first().click();
  const atFirst = await readGrid(answer);
  await bars.nth(steps - 1).click();
  const atLast = await readGrid(answer);
  expect(atLast).not.toEqual(atFirst);
  expect((await paletteColours(answer)).length).toBeGreaterThanOrEqual(4);

  // The card: per-step held-out accuracy as measured; the charts: the shipped log.
  await page.getByTestId('model-card-toggle').click();
  await expect(page.getByTestId('model-card-steps')).toContainText(`${(100 * card.eval.exactByStep[0]).toFixed(1)}%`);
  await expect(page.getByTestId('charts-source')).toContainText(card.title);
  await expect(page.getByTestId('chart-exact')).not.toContainText('no data yet');
  await expect(page.getByTestId('chart-exact').locator('.recharts-line')).not.toHaveCount(0);

  await page.screenshot({ path: 'test-results/first-load.png' });
  expect(errors).toEqual([]);
});
