import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';
import { publicUrlToLocalPath } from '../src/ui/datasets/url-map';
import { servedFile } from '../test/helpers/datasets';

/** Tests never reach the network: the public dataset URLs are served from the local copies, else the fixtures, else 404. */
async function serveDatasets(page: Page): Promise<void> {
  await page.route('https://raw.githubusercontent.com/**', (r) => {
    const rel = publicUrlToLocalPath(r.request().url());
    const file = rel && servedFile(rel);
    return file ? r.fulfill({ body: readFileSync(file), headers: { 'access-control-allow-origin': '*' } }) : r.fulfill({ status: 404 });
  });
}

/** Open the page and wait for the recursion viewer of the bundled model; page errors fail the test. */
export async function openPlayground(page: Page, path = '/'): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await serveDatasets(page);
  await page.goto(path);
  await expect(page.getByTestId('recursion-viewer')).toBeVisible({ timeout: 180_000 });
  expect(errors).toEqual([]);
}

export const stepOf = async (page: Page) => Number(/step (\d+)/.exec((await page.getByTestId('train-step').textContent()) ?? '')![1]);

/** Type into config-form fields (path → text) one by one, as a person would. */
async function setFields(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [path, value] of Object.entries(fields)) {
    await page.getByTestId(`cfg-${path}`).fill(value);
    await page.getByTestId(`cfg-${path}`).press('Tab');
  }
}

/** A model small enough for the software adapter. */
const TINY = { 'model.hidden': '16', 'model.puzzleEmbDim': '16', 'optim.batchSize': '8', 'model.nSup': '2' };

/** Reset builds a fresh run (new weights) from the form: `preset` first, then the tiny sizes and `extra`. */
export async function tinyRun(page: Page, opts: { preset?: string; extra?: Record<string, string> } = {}): Promise<void> {
  if (opts.preset) await page.getByTestId('train-preset').selectOption(opts.preset);
  await setFields(page, { ...TINY, ...opts.extra });
  await page.getByTestId('train-reset').click();
  await expect(page.getByTestId('train-step')).toHaveText(/step 0 \//, { timeout: 60_000 });
}

/** The cells of a grid (GridView) as rows of values, read from its data attributes. */
export function readGrid(grid: Locator): Promise<number[][]> {
  return grid.evaluate((el) => {
    const h = Number(el.getAttribute('data-h')), w = Number(el.getAttribute('data-w'));
    const rows = Array.from({ length: h }, () => new Array<number>(w).fill(-1));
    for (const c of el.querySelectorAll<HTMLElement>('[data-r]')) rows[Number(c.dataset.r)][Number(c.dataset.c)] = Number(c.dataset.v);
    return rows;
  });
}

export const cellOf = (grid: Locator, r: number, c: number) => grid.locator(`[data-r="${r}"][data-c="${c}"]`);

/** Press on one cell, drag over the cells between, release on another. */
export async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const centre = async (l: Locator) => {
    const b = (await l.boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };
  const a = await centre(from), b = await centre(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 12 });
  await page.mouse.up();
}

/** A tiny untrained ARC model (procedural tasks on a 6×6 canvas): enough for the editor to show and Solve to run. */
export const tinyArcRun = (page: Page, extra: Record<string, string> = {}) => tinyRun(page, { preset: 'arc-procedural', extra: { 'data.tasks': '20', ...extra } });
