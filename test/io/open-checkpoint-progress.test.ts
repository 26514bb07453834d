import { mkdtempSync, openAsBlob, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/io/checkpoint';
import { holdPuzzleRows } from '../../src/io/lazy-puzzle-table';
import { openCheckpointFiles, openCheckpointUrl, type OpenedSource, type OpenProgress } from '../../src/io/open-checkpoint';
import { referenceStateDict } from '../../src/io/reference-checkpoint';
import { writeTorchZip } from '../../src/io/torch-checkpoint';
import { arcShaped, writeSyntheticCheckpoint, type SyntheticFiles } from './lazy-synthetic';

// An ARC-shaped reference checkpoint at D 32 with 20 001 puzzle rows: over a 1 MiB lazy limit, so its table is read
// by the blank row alone, and the total must say so.
const ROWS = 20_001, DIM = 32, LIMIT = 1 << 20;
let dir: string, files: SyntheticFiles;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trm-progress-'));
  files = writeSyntheticCheckpoint(dir, arcShaped(ROWS, DIM), 400);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `open` recording its reports and how long it took. */
async function recording(open: (onProgress: (p: OpenProgress) => void) => Promise<OpenedSource>) {
  const reports: OpenProgress[] = [];
  const t0 = performance.now();
  const opened = await open((p) => reports.push(p));
  return { opened, reports, ms: performance.now() - t0 };
}

/** What holds for every open: `read` never goes back, `total` never below it, the last report is the open's count. */
function expectCoherent(reports: OpenProgress[], opened: OpenedSource) {
  expect(reports.length).toBeGreaterThan(1);
  reports.forEach((p, i) => {
    if (i) expect(p.read).toBeGreaterThanOrEqual(reports[i - 1].read);
    if (p.total !== null) expect(p.total).toBeGreaterThanOrEqual(p.read);
  });
  const last = reports.at(-1)!;
  expect(last.read).toBe(opened.bytesRead);
  expect(last.cached).toBe(opened.bytesCached);
}

describe('open progress', () => {
  it('a reference checkpoint from a file: the zip directory, then each tensor, to the exact total', async () => {
    const pick = [new File([await openAsBlob(files.checkpoint)], 'step_400'), new File([readFileSync(files.config)], 'all_config.yaml')];
    const { opened, reports, ms } = await recording((onProgress) => openCheckpointFiles(pick, { lazyTableBytes: LIMIT, onProgress }));
    expectCoherent(reports, opened);
    const tensors = opened.checkpoint.tensors.size;

    // Unknown until the directory is read, known from the first tensor on, and then the same to the end.
    const firstTensor = reports.findIndex((p) => p.what.startsWith('inner.'));
    expect(reports.slice(0, firstTensor).map((p) => p.what)).toContain('zip directory');
    expect(reports.slice(0, firstTensor).every((p) => p.total === null)).toBe(true);
    const total = reports[firstTensor].total!;
    expect(reports.slice(firstTensor).every((p) => p.total === total)).toBe(true);
    // A file counts every byte it reads, so the forecast is exact: the blank row, not the 1.3 MB table.
    expect(reports.at(-1)!.read).toBe(total);
    expect(total).toBeLessThan(files.bytes - ROWS * DIM * 2 + 65_557 + 2 * DIM);

    // Each tensor is named as it starts (prefix stripped); reads between are reported at most every 100 ms.
    const named = new Set(reports.map((p) => p.what).filter((w) => w.startsWith('inner.')));
    expect(named.size).toBe(tensors);
    expect(named).toContain('inner.puzzle_emb.weights');
    expect(named).toContain('inner.L_level.layers.0.mlp.gate_up_proj.weight');
    expect(reports.length).toBeLessThanOrEqual(tensors + 3 + Math.ceil(ms / 100) + 1);

    // Rows read after the open (a puzzle's) are not reported.
    const before = reports.length;
    await holdPuzzleRows(opened.checkpoint, opened.puzzleRows!.table, [0, 9]);
    expect(reports.length).toBe(before);
  });

  it('a TRM Lab checkpoint from a file: its header, then the whole file', async () => {
    const bytes = readFileSync('public/models/sudoku-9x9/model.safetensors');
    const { opened, reports } = await recording((onProgress) => openCheckpointFiles([new File([bytes], 'm.safetensors')], { onProgress }));
    expect(opened.kind).toBe('trm-lab');
    expectCoherent(reports, opened);
    expect(reports.map((p) => p.what)).toEqual(expect.arrayContaining(['safetensors header', 'checkpoint']));
    const whole = reports.find((p) => p.what === 'checkpoint')!;
    expect(whole.total).toBe(whole.read + bytes.length);
    expect(reports.at(-1)).toMatchObject({ read: whole.total, total: whole.total, cached: 0 });
  });

  it('a URL: the first request, the directory, the tensors; the total is known after the directory', async () => {
    const bundled = parseCheckpoint(Uint8Array.from(readFileSync('public/models/sudoku-9x9/model.safetensors')), 'sudoku-9x9');
    const zip = Uint8Array.from(Buffer.concat(writeTorchZip(referenceStateDict(bundled), 'step_5')));
    const fetchFn = (async (_: unknown, init?: RequestInit) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(new Headers(init?.headers).get('range') ?? '');
      if (!m) return new Response('not found', { status: 404 });
      const from = Number(m[1]), to = Math.min(Number(m[2]), zip.length - 1);
      return new Response(zip.slice(from, to + 1) as BodyInit, { status: 206, headers: { 'content-range': `bytes ${from}-${to}/${zip.length}` } });
    }) as typeof fetch;
    const { opened, reports } = await recording((onProgress) => openCheckpointUrl('https://example.test/ckpt/step_5', { fetch: fetchFn, onProgress }));
    expectCoherent(reports, opened);
    expect(reports[0]).toMatchObject({ read: 65_536, total: null });
    const directory = reports.findIndex((p) => p.what === 'zip directory');
    const firstTensor = reports.findIndex((p) => p.what.startsWith('inner.'));
    expect(directory).toBeGreaterThanOrEqual(0);
    expect(firstTensor).toBeGreaterThan(directory);
    expect(reports[firstTensor].total).not.toBeNull();
    // The forecast counts tensors that lie in the first request's 64 KiB, which need no download.
    const last = reports.at(-1)!;
    expect(last.total! - last.read).toBeLessThan(65_536);
  });
});
