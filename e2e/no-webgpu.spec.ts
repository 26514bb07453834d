import { chromium, expect, test } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/browser';

test('without WebGPU the page names the browser and the flag, and the bundled model still solves on the CPU', async ({ baseURL }, info) => {
  // Chromium without --enable-unsafe-webgpu has no adapter here.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS.filter((a) => !a.includes('webgpu')) });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(baseURL!);
    const fallback = page.getByTestId('train-fallback');
    await expect(fallback).toBeVisible({ timeout: 120_000 });
    await expect(fallback).toContainText(/Chrom(e|ium).*--enable-unsafe-webgpu/);
    await expect(page.getByTestId('recursion-viewer')).toBeVisible({ timeout: 180_000 });
    await expect(page.getByTestId('viewer-readout')).toContainText('step');
    await page.screenshot({ path: info.outputPath('no-webgpu.png') });
  } finally {
    await browser.close();
  }
});
