import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { startVite } from '../helpers/vite-server';

let server: ViteDevServer;
let url: string;
let browser: Browser;

beforeAll(async () => {
  ({ server, url } = await startVite());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('the engine runs forward and backward in a Chromium page and in a Web Worker', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/e2e/pages/engine-smoke.html`);
  await page.waitForFunction(() => window.__smoke !== undefined, undefined, { timeout: 60_000 });
  const smoke = await page.evaluate(() => window.__smoke!);
  expect(errors).toEqual([]);
  for (const ctx of ['page', 'worker'] as const) {
    const r = smoke[ctx];
    if (typeof r === 'string') throw new Error(`${ctx}: ${r}`);
    console.log(`[webgpu] chromium ${ctx} adapter: ${r.adapter}`);
    expect(r.adapter).toMatch(/swiftshader|google|nvidia|amd|intel|apple/i);
    expect(r.values).toEqual([22, 44, 66]);
    expect(r.grad).toEqual([2, 2, 2]);
  }
});
