import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/io/checkpoint';
import { httpReader } from '../../src/io/http-reader';
import { openCheckpointUrl } from '../../src/io/open-checkpoint';
import { createRangeCache, RANGE_CACHE_NAME, validatorOf } from '../../src/io/range-cache';
import { referenceStateDict } from '../../src/io/reference-checkpoint';
import { writeTorchZip } from '../../src/io/torch-checkpoint';

const FILE_URL = 'https://example.test/ckpt/step_5';
const FILE = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);
/** Ranges past the 64 KiB the first request always downloads. */
const RANGES: [number, number][] = [[100_000, 5000], [200_000, 64], [299_000, 1000]];

/** Cache Storage in memory: one Cache (match/put by key), counting its calls. */
function memoryStorage() {
  const entries = new Map<string, Uint8Array>();
  const calls = { open: 0, match: 0, put: 0 };
  const cache = {
    async match(key: RequestInfo | URL) {
      calls.match++;
      const b = entries.get(String(key));
      return b && new Response(b as BodyInit);
    },
    async put(key: RequestInfo | URL, res: Response) {
      calls.put++;
      entries.set(String(key), new Uint8Array(await res.arrayBuffer()));
    },
  } as unknown as Cache;
  const storage = {
    async open(name: string) {
      expect(name).toBe(RANGE_CACHE_NAME);
      calls.open++;
      return cache;
    },
    async delete() {
      entries.clear();
      return true;
    },
  };
  return { storage, entries, calls };
}

/** A range server for one file, with `headers` on every answer (the validators); counts the bytes it sends. */
function server(file: () => Uint8Array, headers: () => Record<string, string>) {
  const sent: number[] = [];
  const fetchFn = (async (_: unknown, init?: RequestInit) => {
    const bytes = file();
    const m = /^bytes=(\d+)-(\d+)$/.exec(new Headers(init?.headers).get('range') ?? '');
    if (!m) return new Response('not found', { status: 404 }); // all_config.yaml beside a checkpoint
    const from = Number(m[1]), to = Math.min(Number(m[2]), bytes.length - 1);
    sent.push(to + 1 - from);
    return new Response(bytes.slice(from, to + 1) as BodyInit, { status: 206, headers: { ...headers(), 'content-range': `bytes ${from}-${to}/${bytes.length}` } });
  }) as typeof fetch;
  return { fetch: fetchFn, sent, total: () => sent.reduce((a, b) => a + b, 0) };
}

/** Open the file through the cache and read RANGES: what each read returned, and the reader's counts. */
async function readAll(s: ReturnType<typeof server>, cache: ReturnType<typeof createRangeCache> | null) {
  const r = await httpReader(FILE_URL, { fetch: s.fetch, cache });
  const got = [];
  for (const [o, l] of RANGES) got.push(Array.from(await r.read(o, l)));
  return { got, bytesRead: r.bytesRead, bytesCached: r.bytesCached };
}
const expected = (file: Uint8Array) => RANGES.map(([o, l]) => Array.from(file.subarray(o, o + l)));
const rangeBytes = RANGES.reduce((a, [, l]) => a + l, 0);

describe('validatorOf', () => {
  it('a strong ETag, else Last-Modified with the size, else none', () => {
    expect(validatorOf(new Headers({ etag: '"abc"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }), 9)).toBe('etag "abc"');
    expect(validatorOf(new Headers({ etag: 'W/"abc"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }), 9)).toBe('modified Tue, 01 Dec 2026 10:00:00 GMT, 9 bytes');
    expect(validatorOf(new Headers({ etag: 'W/"abc"' }), 9)).toBeNull();
    expect(validatorOf(new Headers(), 9)).toBeNull();
  });
});

describe('the range cache under httpReader', () => {
  it('a file read before is read from the cache: only the first request downloads', async () => {
    const { storage, entries } = memoryStorage();
    const cache = createRangeCache({ storage });
    const s = server(() => FILE, () => ({ etag: '"v1"' }));
    const first = await readAll(s, cache);
    expect(first.got).toEqual(expected(FILE));
    expect(first).toMatchObject({ bytesCached: 0, bytesRead: 65_536 + rangeBytes });
    expect(s.sent).toEqual([65_536, ...RANGES.map(([, l]) => l)]);
    expect(entries.size).toBe(RANGES.length);

    const again = await readAll(s, cache);
    expect(again.got).toEqual(expected(FILE));
    expect(again).toMatchObject({ bytesCached: rangeBytes, bytesRead: 65_536 + rangeBytes });
    expect(s.sent.slice(1 + RANGES.length)).toEqual([65_536]);
  });

  it('Last-Modified with the size is a validator too', async () => {
    const cache = createRangeCache({ storage: memoryStorage().storage });
    const s = server(() => FILE, () => ({ 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }));
    await readAll(s, cache);
    expect((await readAll(s, cache)).bytesCached).toBe(rangeBytes);
  });

  it('a new validator (the file changed) reads the new bytes, never the cached ones', async () => {
    const cache = createRangeCache({ storage: memoryStorage().storage });
    let file = FILE, tag = '"v1"';
    const s = server(() => file, () => ({ etag: tag }));
    await readAll(s, cache);
    file = FILE.map((b) => 255 - b);
    tag = '"v2"';
    const changed = await readAll(s, cache);
    expect(changed.bytesCached).toBe(0);
    expect(changed.got).toEqual(expected(file));
    expect(changed.got).not.toEqual(expected(FILE));
    expect(s.total()).toBe(2 * (65_536 + rangeBytes));
  });

  it('a range whose answer names another version than the first request is not kept', async () => {
    const { storage, entries } = memoryStorage();
    let answers = 0;
    const s = server(() => FILE, () => ({ etag: answers++ === 0 ? '"v1"' : '"v2"' }));
    await readAll(s, createRangeCache({ storage }));
    expect(entries.size).toBe(0);
  });

  it('without a validator nothing is cached', async () => {
    const { storage, entries, calls } = memoryStorage();
    const cache = createRangeCache({ storage });
    const s = server(() => FILE, () => ({ etag: 'W/"weak"' }));
    await readAll(s, cache);
    const again = await readAll(s, cache);
    expect(again.bytesCached).toBe(0);
    expect(entries.size).toBe(0);
    expect(calls).toEqual({ open: 0, match: 0, put: 0 });
    expect(s.total()).toBe(2 * (65_536 + rangeBytes));
  });

  it('a failing Cache Storage never fails a read: it falls back to the network, once told', async () => {
    const s = server(() => FILE, () => ({ etag: '"v1"' }));
    const errors: string[] = [];
    const refusing = { open: () => Promise.reject(new DOMException('insecure origin', 'SecurityError')), delete: async () => true };
    const a = await readAll(s, createRangeCache({ storage: refusing, onError: (m) => errors.push(m) }));
    expect(a.got).toEqual(expected(FILE));
    expect(errors).toEqual(['Cache Storage unavailable; checkpoint ranges are downloaded without the browser cache: insecure origin']);

    // A cache that opens but throws on every call: the first failure turns it off for the session.
    let touched = 0;
    const throwing = {
      open: async () =>
        ({
          match: () => (touched++, Promise.reject(new DOMException('quota', 'QuotaExceededError'))),
          put: () => (touched++, Promise.reject(new DOMException('quota', 'QuotaExceededError'))),
        }) as unknown as Cache,
      delete: async () => true,
    };
    const told: string[] = [];
    const cache = createRangeCache({ storage: throwing, onError: (m) => told.push(m) });
    for (let i = 0; i < 2; i++) {
      const b = await readAll(s, cache);
      expect(b.got).toEqual(expected(FILE));
      expect(b.bytesCached).toBe(0);
    }
    expect(touched).toBe(1);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/^reading a cached range failed; checkpoint ranges are downloaded without the browser cache: quota/);

    // No Cache Storage at all (Node): the default cache downloads everything.
    expect((await readAll(s, createRangeCache())).bytesCached).toBe(0);
  });

  it('a cached entry of the wrong length is a miss; clear() forgets every range', async () => {
    const { storage, entries } = memoryStorage();
    const cache = createRangeCache({ storage });
    const s = server(() => FILE, () => ({ etag: '"v1"' }));
    await readAll(s, cache);
    const [key] = entries.keys();
    entries.set(key, new Uint8Array(3));
    expect((await readAll(s, cache)).bytesCached).toBe(rangeBytes - RANGES[0][1]);
    await cache.clear();
    expect(entries.size).toBe(0);
    expect((await readAll(s, cache)).bytesCached).toBe(0);
  });
});

describe('openCheckpointUrl with the range cache', () => {
  it('reopening reads the checkpoint from the cache, says how much, and opens the same model', async () => {
    const bundled = parseCheckpoint(Uint8Array.from(readFileSync('public/models/sudoku-9x9/model.safetensors')), 'sudoku-9x9');
    const zip = Uint8Array.from(Buffer.concat(writeTorchZip(referenceStateDict(bundled), 'step_5')));
    expect(zip.length).toBeGreaterThan(2 * 65_536); // so that ranges past the first request are needed
    const cache = createRangeCache({ storage: memoryStorage().storage });
    const s = server(() => zip, () => ({ etag: '"v1"' }));
    const first = await openCheckpointUrl(FILE_URL, { fetch: s.fetch, cache });
    expect(first.bytesCached).toBe(0);
    expect(first.bytesRead).toBe(s.total());
    const downloaded = s.total();
    const again = await openCheckpointUrl(FILE_URL, { fetch: s.fetch, cache });
    expect(s.total() - downloaded).toBe(65_536);
    expect(again.bytesRead).toBe(first.bytesRead);
    expect(again.bytesCached).toBe(first.bytesRead - 65_536);
    expect(again.checkpoint.tensors).toEqual(first.checkpoint.tensors);
  });
});
