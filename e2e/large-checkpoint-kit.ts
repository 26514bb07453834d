/**
 * What the large-checkpoint e2e flows and the open-time benchmark share: published-size reference checkpoints made
 * up in a temporary folder (ARC-shaped: attention, D 512, SwiGLU 256, 500 001 puzzle rows in bfloat16, ~0.55 GB;
 * Sudoku-Extreme-shaped: MLP mixer, D 512, 81 cells), a probe of the page's reads and memory, and a Range server.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { arcShaped, sudokuShaped, writeSyntheticCheckpoint, type SyntheticFiles } from '../test/io/lazy-synthetic';

export const STEP = 1000;

/** A one-pair ARC task to watch the model on (its test input on the 30×30 canvas). */
export const TASK = { train: [{ input: [[1, 0], [0, 2]], output: [[0, 1], [2, 0]] }], test: [{ input: [[3, 0, 4], [0, 5, 0]], output: [[4, 0, 3], [0, 5, 0]] }] };

/** Both synthetic checkpoints, written as streams into a new temporary folder; `remove` deletes them. */
export function writeLargeCheckpoints(): { arc: SyntheticFiles; sudoku: SyntheticFiles; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'trm-large-'));
  return {
    arc: writeSyntheticCheckpoint(mkdtempSync(join(dir, 'arc-')), arcShaped(), STEP),
    sudoku: writeSyntheticCheckpoint(mkdtempSync(join(dir, 'sudoku-')), sudokuShaped(), STEP),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Probe {
  /** Bytes the page took from picked files by File.slice. */
  sliced(): Promise<number>;
  /** Start the processes' peak resident memory (VmHWM) from their present size. */
  reset(): Promise<void>;
  /**
   * As report fields: the page's largest JS heap seen so far (CDP Performance.getMetrics, sampled every 100 ms) and
   * the peak resident memory of the renderer (page and worker) and GPU (SwiftShader) processes since `reset`.
   */
  peaks(): Promise<Record<string, string>>;
  stop(): void;
}

/** Count File.slice bytes in the page; sample its heap; reset and read its processes' peak RSS. */
export async function probe(page: Page): Promise<Probe> {
  await page.addInitScript(() => {
    const slice = Blob.prototype.slice;
    const w = window as unknown as { __sliced: number };
    w.__sliced = 0;
    Blob.prototype.slice = function (this: Blob, ...args: Parameters<Blob['slice']>) {
      const b = slice.apply(this, args);
      if (this instanceof File) w.__sliced += b.size;
      return b;
    };
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  let peak = 0;
  const timer = setInterval(() => {
    cdp.send('Performance.getMetrics').then(
      ({ metrics }) => (peak = Math.max(peak, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0)),
      () => undefined,
    );
  }, 100);
  const browserCdp = await page.context().browser()!.newBrowserCDPSession();
  const processes = async () => ((await browserCdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] }).processInfo.filter((p) => p.type === 'renderer' || p.type === 'GPU');
  const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    sliced: () => page.evaluate(() => (window as unknown as { __sliced: number }).__sliced),
    async reset() {
      for (const p of await processes()) writeFileSync(`/proc/${p.id}/clear_refs`, '5');
    },
    async peaks() {
      const rss: Record<string, number> = {};
      for (const p of await processes()) {
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status(p.id))?.[1] ?? NaN);
        rss[p.type] = Math.max(rss[p.type] ?? 0, kb * 1024);
      }
      return { 'peak JS heap': MB(peak), ...Object.fromEntries(Object.entries(rss).map(([k, v]) => [`peak RSS ${k}`, MB(v)])) };
    },
    stop: () => clearInterval(timer),
  };
}

export const MB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** The page with its engine ready and its first model loaded (which would otherwise replace the one opened here). */
export async function ready(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('model-kind')).toBeVisible({ timeout: 180_000 });
  await expect(page.getByRole('button', { name: 'Open a checkpoint…' })).toBeEnabled({ timeout: 180_000 });
}

/** Wait for the viewer to draw the first of the opened model's 16 supervision steps; the ms since `t0`. */
export async function firstStep(page: Page, t0: number, timeout: number): Promise<number> {
  await expect(page.getByTestId('viewer-live')).toContainText('running: 1/16 supervision steps so far', { timeout });
  return Date.now() - t0;
}

export function report(what: string, fields: Record<string, string | number>): void {
  console.log(`[large-checkpoint] ${what}: ${Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(' · ')}`);
}

/**
 * A local server with single-range support (and CORS for the page's origin), counting the bytes it sends; its
 * ETag (exposed to the page) lets the page's range cache keep what it read.
 */
export async function rangeServer(file: string): Promise<{ server: Server; url: string; served: () => number; ranges: string[] }> {
  let served = 0;
  const ranges: string[] = [];
  const { size, mtimeMs } = statSync(file);
  const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'range', 'access-control-expose-headers': 'content-range, content-length, etag' };
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    if (!req.url?.endsWith(`/step_${STEP}`)) return res.writeHead(404, cors).end('not found');
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) return res.writeHead(200, { ...cors, 'content-length': String(size) }).end(); // never the whole body
    ranges.push(m[0]);
    const from = Number(m[1]), to = Math.min(Number(m[2]), size - 1);
    served += to - from + 1;
    res.writeHead(206, { ...cors, etag, 'content-range': `bytes ${from}-${to}/${size}`, 'content-length': String(to - from + 1) });
    createReadStream(file, { start: from, end: to }).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ckpt/step_${STEP}`, served: () => served, ranges };
}

/**
 * Pick `files` in the page's file control once its engine is ready, and wait for the facts line to say `facts`:
 * the probe, the start time and the milliseconds to open.
 */
async function openTimed(page: Page, files: SyntheticFiles, facts: string, timeout: number): Promise<{ p: Probe; t0: number; opened: number }> {
  const p = await probe(page);
  await ready(page);
  await p.reset();
  const t0 = Date.now();
  await page.getByTestId('checkpoint-import').setInputFiles([files.checkpoint, files.config]);
  await expect(page.getByTestId('checkpoint-opened-facts')).toContainText(facts, { timeout });
  return { p, t0, opened: Date.now() - t0 };
}

/** Print what an open read (`sliced` bytes) and took. */
async function reportOpen(what: string, files: SyntheticFiles, o: { p: Probe; opened: number }, sliced: number): Promise<void> {
  report(what, { file: MB(files.bytes), 'bytes read (File.slice)': `${sliced} (${MB(sliced)})`, 'opened in': `${o.opened} ms`, ...(await o.p.peaks()) });
}

/**
 * Open the ARC-shaped checkpoint through the page's file control (engine ready first), check that only its weights
 * and the blank puzzle row were read, and print the bytes, time and memory. Returns the probe and the start time.
 */
export async function openArcFile(page: Page, arc: SyntheticFiles): Promise<{ p: Probe; t0: number }> {
  const o = await openTimed(page, arc, `step_${STEP} · reference (PyTorch) checkpoint · step ${STEP}`, 10 * 60_000);
  const notes = page.getByTestId('checkpoint-opened-notes');
  await expect(notes).toContainText('puzzle embedding: row 0 (the blank one) of 500,001 read');
  await expect(notes).toContainText('SwiGLU: width 1536 with every unit in use, so swigluMultiple 256');
  await expect(page.getByTestId('model-kind')).toHaveText(/ARC tasks on a 30×30 canvas/);
  const sliced = await o.p.sliced();
  const table = 500_001 * 512 * 2;
  expect(sliced).toBeLessThan(arc.bytes - table + (1 << 20));
  await reportOpen('ARC-shaped file, opened', arc, o, sliced);
  return o;
}

/**
 * Open the Sudoku-Extreme-shaped checkpoint through the page's file control (engine ready first), check it was read
 * once, and print the bytes, time and memory. Returns the probe and the start time.
 */
export async function openSudokuFile(page: Page, sudoku: SyntheticFiles): Promise<{ p: Probe; t0: number }> {
  const o = await openTimed(page, sudoku, `step_${STEP} · reference (PyTorch) checkpoint`, 5 * 60_000);
  await expect(page.getByTestId('model-kind')).toHaveText(/9×9 Sudoku/);
  const sliced = await o.p.sliced();
  // Its table is one row, so the whole file is read, once: the zip directory and entry headers twice at most.
  expect(sliced).toBeLessThan(sudoku.bytes * 1.01);
  await reportOpen('Sudoku-Extreme-shaped file, opened', sudoku, o, sliced);
  return o;
}
