import { mkdtempSync, openAsBlob, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineLimits } from '../../src/engine/engine';
import { holdPuzzleRows } from '../../src/io/lazy-puzzle-table';
import { openCheckpoint, openCheckpointFiles } from '../../src/io/open-checkpoint';
import { toFloat32 } from '../../src/io/torch-checkpoint';
import { bytesReader, type RandomAccess } from '../../src/io/zip';
import { NAMES } from '../../src/trm/params';
import { expectUserMessage, rejectionMessage } from '../helpers/user-message';
import { arcShaped, syntheticRow, writeSyntheticCheckpoint, type SyntheticFiles } from './lazy-synthetic';

// An ARC-shaped reference checkpoint at D 32 with 20 001 puzzle rows (a 2.6 MB table as float32): large for a
// 1 MB lazy limit, small enough to check against the whole read.
const ROWS = 20_001, DIM = 32, LIMIT = 1 << 20;
let dir: string, files: SyntheticFiles;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trm-lazy-'));
  files = writeSyntheticCheckpoint(dir, arcShaped(ROWS, DIM), 400);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pick = async () => [new File([await openAsBlob(files.checkpoint)], 'step_400'), new File([readFileSync(files.config)], 'all_config.yaml')];
/** The file's row as the checkpoint stores it: bfloat16. */
const stored = (r: number) => toFloat32('BF16', new Uint8Array(new Uint16Array(Array.from(new Uint32Array(syntheticRow(r, DIM).buffer), (b) => (b + 0x7fff + ((b >>> 16) & 1)) >>> 16)).buffer));

/** `r` with every read recorded. */
function recorded(r: RandomAccess): RandomAccess & { reads: [number, number][] } {
  const reads: [number, number][] = [];
  return { size: r.size, reads, read: (o, l) => (reads.push([o, l]), r.read(o, l)) };
}

const limits = (maxBuffer: number): EngineLimits => ({ device: 'a small GPU', memoryBytes: 64 * 2 ** 30, memorySource: 'the test', maxBufferSize: maxBuffer, maxStorageBufferBindingSize: maxBuffer, bytesPerFloat: 4 });

describe('a large puzzle embedding stays in the file', () => {
  it('opens from File.slice reading the blank row only, and reads more rows on demand', async () => {
    const opened = await openCheckpointFiles(await pick(), { lazyTableBytes: LIMIT });
    const ck = opened.checkpoint;
    expect(ck.meta.data.numPuzzleIds).toBe(1);
    expect(ck.tensors.get(NAMES.puzzleEmb)!.shape).toEqual([1, DIM]);
    expect([...ck.tensors.get(NAMES.puzzleEmb)!.data]).toEqual(new Array(DIM).fill(0));
    expect(opened.notes).toContain('puzzle embedding: row 0 (the blank one) of 20,001 read; the rest (20,001 × 32 floats) stays in the file, so puzzles run with the blank embedding');
    const table = ROWS * DIM * 2;
    expect(opened.bytes).toBeGreaterThan(table);
    // Everything but the table, the 64 KiB where the zip's end record is searched for, and the blank row.
    expect(opened.bytesRead).toBeLessThanOrEqual(opened.bytes - table + 65_557 + 2 * DIM);

    const rows = opened.puzzleRows!;
    expect(rows.held).toEqual([0]);
    const more = await holdPuzzleRows(ck, rows.table, [0, 7, 5, 6, 19_999]);
    expect(more.checkpoint.meta.data.numPuzzleIds).toBe(5);
    const t = more.checkpoint.tensors.get(NAMES.puzzleEmb)!;
    expect(t.shape).toEqual([5, DIM]);
    [0, 7, 5, 6, 19_999].forEach((r, i) => expect(t.data.subarray(i * DIM, (i + 1) * DIM)).toEqual(stored(r)));
    expect(ck.tensors.get(NAMES.puzzleEmb)!.shape).toEqual([1, DIM]); // the opened checkpoint is left as it was
    expectUserMessage(await rejectionMessage(rows.table.read([ROWS])), /^step_400: puzzle row 20001 is outside its puzzle embedding's 20001 rows$/);
  });

  it('reads each run of consecutive rows in one range, and each row once', async () => {
    const r = recorded(bytesReader(readFileSync(files.checkpoint)));
    const { checkpoint, puzzleRows } = await openCheckpoint(r, 'step_400', async () => null, { lazyTableBytes: LIMIT });
    const before = r.reads.length;
    await holdPuzzleRows(checkpoint, puzzleRows!.table, [5, 6, 7, 100, 6]);
    expect(r.reads.slice(before).map(([, l]) => l)).toEqual([3 * DIM * 2, DIM * 2]);
    await puzzleRows!.table.read([7, 100]);
    expect(r.reads.length).toBe(before + 2);
  });

  it('is read whole without a lazy limit (the CLI, which trains on it)', async () => {
    const { checkpoint, puzzleRows } = await openCheckpoint(bytesReader(readFileSync(files.checkpoint)), 'step_400', async () => ({ text: readFileSync(files.config, 'utf8'), name: 'all_config.yaml' }));
    expect(puzzleRows).toBeNull();
    expect(checkpoint.meta.data.numPuzzleIds).toBe(ROWS);
    expect(checkpoint.tensors.get(NAMES.puzzleEmb)!.data.subarray(ROWS * DIM - DIM)).toEqual(stored(ROWS - 1));
  });
});

describe('fitted to the device it will run on', () => {
  it('halves the saved batch until the model fits, and says what training with the whole table needs', async () => {
    // The paper's batch of 768 on 900 tokens: a SwiGLU activation of 768·916·2·96·4 bytes, over a 64 MiB buffer limit.
    const opened = await openCheckpointFiles(await pick(), { lazyTableBytes: LIMIT, fitTo: limits(64 << 20) });
    const { batchSize } = opened.checkpoint.meta.config.optim;
    expect(batchSize).toBeLessThan(768);
    expect(opened.notes.find((n) => n.startsWith('batch: '))).toMatch(new RegExp(`^batch: 768 does not fit a small GPU, so ${batchSize} \\(its largest buffer, a SwiGLU activation, is .* > maxBufferSize 67108864 of a small GPU\\)$`));
    expect(opened.notes.find((n) => n.startsWith('training or resuming'))).toBe('training or resuming needs the whole puzzle embedding (2.6 MB (2 560 128 bytes) as float32), which stays in the file: train --resume in the CLI reads it whole');

    const tight = await openCheckpointFiles(await pick(), { lazyTableBytes: LIMIT, fitTo: limits(2 << 20) });
    expect(tight.notes.find((n) => n.startsWith('training or resuming'))).toMatch(/which stays in the file: at batch \d+ it does not fit \(its largest buffer, the puzzle-embedding table, is 2\.6 MB \(2 560 128 bytes\) > maxBufferSize 2097152 of a small GPU\)$/);
  });

  it('refuses, with the size, a model that does not fit even at batch 1', async () => {
    const m = await rejectionMessage(openCheckpointFiles(await pick(), { lazyTableBytes: LIMIT, fitTo: limits(64 << 10) }));
    expectUserMessage(m, /^step_400: does not fit a small GPU even at batch 1: its largest buffer, .* > maxBufferSize 65536 of a small GPU$/);
  });
});
