import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { arcShaped, writeSyntheticCheckpoint, type SyntheticFiles } from '../test/io/lazy-synthetic';
import { MB, openArcFile, openSudokuFile, probe, rangeServer, ready, report, STEP, writeLargeCheckpoints } from './large-checkpoint-kit';

// Published-size reference checkpoints (e2e/large-checkpoint-kit.ts), made up here and deleted after. Each opens
// through the real controls, reading its weights and only the blank puzzle row; bytes read are asserted, the times
// and memory printed for the notes. The time to the first recursion step drawn is the open-time benchmark's
// (bench/large-checkpoint.spec.ts): the software adapter takes minutes for one D 512 step.
test.describe.configure({ mode: 'serial' });

let arc: SyntheticFiles, sudoku: SyntheticFiles, remove: () => void;
test.beforeAll(() => ({ arc, sudoku, remove } = writeLargeCheckpoints()));
test.afterAll(() => remove());

// A Hugging Face repo id, its file list and resolve URLs routed to a small ARC-shaped checkpoint (tests never
// reach the network); and the one-line errors for a private, unknown, empty or unreachable repo.
test('a Hugging Face repo id lists its checkpoints, opens the one chosen, and says what is wrong with a bad repo', async ({ page }) => {
  const hfDir = mkdtempSync(join(tmpdir(), 'trm-hf-'));
  const small = writeSyntheticCheckpoint(hfDir, arcShaped(5, 32), 200);
  const files: Record<string, string> = { '/trm/arc-att/resolve/main/run/step_200': small.checkpoint, '/trm/arc-att/resolve/main/run/all_config.yaml': small.config };
  const listing = (names: string[]) => JSON.stringify({ id: 'trm/x', siblings: names.map((rfilename) => ({ rfilename })) });
  const lists: Record<string, [number, string]> = {
    'trm/arc-att': [200, listing(['README.md', 'run/all_config.yaml', 'run/step_100', 'run/step_200', 'run/step_200_train_state.pt'])],
    'trm/private': [401, '{"error":"Repository not found"}'],
    'trm/none': [404, '{"error":"Repository not found"}'],
    'trm/empty': [200, listing(['README.md'])],
  };
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'range', 'access-control-expose-headers': 'content-range, content-length' };
  await page.route('https://huggingface.co/**', (route) => {
    const req = route.request();
    const path = new URL(req.url()).pathname;
    if (req.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    const api = /^\/api\/models\/(.+)\/revision\/main$/.exec(path);
    if (api?.[1] === 'trm/offline') return route.abort('internetdisconnected');
    if (api) {
      const [status, body] = lists[api[1]] ?? [404, '{}'];
      return route.fulfill({ status, headers: cors, body });
    }
    if (!files[path]) return route.fulfill({ status: 404, headers: cors, body: 'Entry not found' });
    const bytes = readFileSync(files[path]);
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers()['range'] ?? '');
    if (!m) return route.fulfill({ status: 200, headers: cors, body: bytes });
    const from = Number(m[1]), to = Math.min(Number(m[2]), bytes.length - 1);
    return route.fulfill({ status: 206, headers: { ...cors, 'content-range': `bytes ${from}-${to}/${bytes.length}` }, body: bytes.subarray(from, to + 1) });
  });
  await ready(page);
  const box = page.getByTestId('checkpoint-url'), go = page.getByTestId('checkpoint-url-open'), error = page.getByTestId('checkpoint-repo-error').locator('span');

  await box.fill('trm/arc-att');
  await go.click();
  await expect(page.getByTestId('checkpoint-repo-choice').locator('option')).toHaveText(['run/step_200', 'run/step_100']);
  await page.getByTestId('checkpoint-repo-open').click();
  await expect(page.getByTestId('checkpoint-opened-facts')).toContainText('step_200 · reference (PyTorch) checkpoint · step 200', { timeout: 120_000 });
  await expect(page.getByTestId('checkpoint-opened-notes')).toContainText('config: all_config.yaml');
  await expect(page.getByTestId('model-kind')).toHaveText(/ARC tasks on a 30×30 canvas/);

  for (const [id, line] of [
    ['trm/private', /^"trm\/private": Hugging Face answered 401: the repo is gated or private \(or does not exist\)/],
    ['trm/none', /^"trm\/none": no such model repo on Hugging Face$/],
    ['trm/empty', /^"trm\/empty" holds no checkpoint \(step_N, \.safetensors or \.pt\) among its 1 file$/],
    ['trm/offline', /^"trm\/offline": Hugging Face could not be reached \(offline, or this page is not allowed to ask it: CORS\)$/],
  ] as const) {
    await box.fill(id);
    await go.click();
    await expect(error).toHaveText(line);
  }
  await expect(page.getByTestId('checkpoint-opened-facts')).toContainText('step_200'); // the model opened before stays
});

test('an ARC-shaped checkpoint (D 512, 500 001 puzzle rows) opens from a file reading only its weights and the blank row', async ({ page }) => {
  test.setTimeout(15 * 60_000);
  const { p } = await openArcFile(page, arc);
  p.stop();
});

test('a Sudoku-Extreme-shaped checkpoint (MLP, D 512) opens from a file', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const { p } = await openSudokuFile(page, sudoku);
  p.stop();
});

test('the ARC-shaped checkpoint served with Range support opens by URL, downloading a sliver of it, and from the browser cache the second time', async ({ page }, info) => {
  test.setTimeout(15 * 60_000);
  const s = await rangeServer(arc.checkpoint);
  try {
    const p = await probe(page);
    await ready(page);
    await p.reset();
    const t0 = Date.now();
    await page.getByTestId('checkpoint-url').fill(s.url);
    await page.getByTestId('checkpoint-url-open').click();
    // How far it got shows while it opens (bytes of the total, the tensor being read), and goes when it is open.
    const progress = page.getByTestId('checkpoint-progress');
    await expect(progress).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('train-checkpoints').screenshot({ path: info.outputPath('large-arc-url-progress.png') });
    const facts = page.getByTestId('checkpoint-opened-facts');
    await expect(facts).toContainText(`step_${STEP} · reference (PyTorch) checkpoint · step ${STEP}`, { timeout: 10 * 60_000 });
    const opened = Date.now() - t0;
    await expect(progress).toHaveCount(0);
    await expect(facts).not.toContainText('browser cache');
    await expect(page.getByTestId('checkpoint-opened-notes')).toContainText('puzzle embedding: row 0 (the blank one) of 500,001 read');
    const size = statSync(arc.checkpoint).size;
    const first = s.served(), firstRequests = s.ranges.length;
    expect(first).toBeLessThan(size / 10);
    await page.screenshot({ path: info.outputPath('large-arc-url.png'), fullPage: true });
    const memory = await p.peaks();

    // The same URL again: the server's ETag is unchanged, so every range but the first request comes from the cache.
    const t1 = Date.now();
    await page.getByTestId('checkpoint-url-open').click();
    await expect(facts).toContainText('from the browser cache', { timeout: 10 * 60_000 });
    const reopened = Date.now() - t1;
    await expect(facts).toContainText(`step_${STEP} · reference (PyTorch) checkpoint · step ${STEP}`);
    const second = s.served() - first, secondRanges = s.ranges.slice(firstRequests);
    expect(second).toBeLessThan(first / 50);
    await page.screenshot({ path: info.outputPath('large-arc-url-cached.png'), fullPage: true });

    // Forgetting the cache: a third open downloads what the first did.
    await page.getByTestId('checkpoint-cache-clear').click();
    await expect(facts).toContainText('since forgotten');
    await page.getByTestId('checkpoint-url-open').click();
    await expect(facts).not.toContainText('browser cache', { timeout: 10 * 60_000 });
    await expect(facts).toContainText(`step_${STEP} · reference (PyTorch) checkpoint · step ${STEP}`);
    const third = s.served() - first - second;
    expect(third).toBeGreaterThan(first * 0.9);
    report('ARC-shaped URL', {
      file: MB(size),
      'bytes served (Range), first open': `${first} (${MB(first)}) in ${firstRequests} requests`,
      'second open (cached)': `${second} (${MB(second)}): ${secondRanges.join(', ')}`,
      'third open (cache forgotten)': `${third} (${MB(third)})`,
      'opened in': `${opened} ms, again in ${reopened} ms`,
      ...memory,
    });
    p.stop();
  } finally {
    s.server.close();
  }
});
