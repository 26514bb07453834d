import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint, type Checkpoint } from '../../src/io/checkpoint';
import { WHOLE_FILE_LIMIT } from '../../src/io/http-reader';
import { checkpointBytes, openCheckpointFiles, openCheckpointUrl, stepOfName } from '../../src/io/open-checkpoint';
import { referenceStateDict } from '../../src/io/reference-checkpoint';
import { referenceConfigYaml } from '../../src/io/reference-config';
import { writeSafetensors, type SafeTensor } from '../../src/io/safetensors';
import { pickleStateDict } from '../../src/io/pickle';
import { writeTorchZip } from '../../src/io/torch-checkpoint';
import { writeZip } from '../../src/io/zip';
import { expectUserMessage, rejectionMessage } from '../helpers/user-message';

const BUNDLED = Uint8Array.from(readFileSync('public/models/sudoku-4x4/model.safetensors'));
const ORIGINAL = parseCheckpoint(BUNDLED, 'sudoku-4x4.safetensors');
const STEP = ORIGINAL.meta.step;
const concat = (chunks: Uint8Array[]) => Uint8Array.from(Buffer.concat(chunks));
const state = referenceStateDict(ORIGINAL);
const TORCH_ZIP = concat(writeTorchZip(state, `step_${STEP}`));
const REF_SAFETENSORS = writeSafetensors(new Map<string, SafeTensor>([...state].map(([k, t]) => [k, { dtype: 'F32', shape: t.shape, data: t.data }])));
const YAML = referenceConfigYaml(ORIGINAL.meta.config, ORIGINAL.meta.data, STEP);

const file = (bytes: Uint8Array | string, name: string) => new File([bytes as BlobPart], name);
const weightsOf = (ck: Checkpoint) => new Map([...ck.tensors].filter(([n]) => !n.startsWith('_train.')).map(([n, t]) => [n, Array.from(t.data)]));

/** A fetch over `files` (path → bytes) that honours Range when `ranges`, recording every request. */
function server(files: Record<string, Uint8Array | string>, ranges = true) {
  const requests: { path: string; range: string | null; sent: number }[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const range = new Headers(init?.headers).get('range');
    const body = files[url.pathname];
    if (body === undefined) {
      requests.push({ path: url.pathname, range, sent: 0 });
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const m = range && ranges ? /^bytes=(\d+)-(\d+)$/.exec(range) : null;
    if (!m) {
      requests.push({ path: url.pathname, range, sent: bytes.length });
      return new Response(bytes as BodyInit, { status: 200, headers: { 'content-length': String(bytes.length) } });
    }
    const from = Number(m[1]), to = Math.min(Number(m[2]), bytes.length - 1);
    requests.push({ path: url.pathname, range, sent: to + 1 - from });
    return new Response(bytes.slice(from, to + 1) as BodyInit, { status: 206, headers: { 'content-range': `bytes ${from}-${to}/${bytes.length}` } });
  }) as typeof fetch;
  return { fetch: fetchFn, requests };
}

describe('openCheckpointFiles: what a person picks in the page', () => {
  it('a torch.save step_N with its all_config.yaml opens as the same model, and hands the worker an equal TRM Lab checkpoint', async () => {
    const opened = await openCheckpointFiles([file(YAML, 'all_config.yaml'), file(TORCH_ZIP, `step_${STEP}`)]);
    expect(opened).toMatchObject({ kind: 'reference', name: `step_${STEP}`, bytes: TORCH_ZIP.length });
    expect(opened.notes).toContain('config: the TRM Lab config recorded in all_config.yaml');
    expect(opened.checkpoint.meta.config).toEqual(ORIGINAL.meta.config);
    expect(weightsOf(opened.checkpoint)).toEqual(weightsOf(ORIGINAL));
    const back = parseCheckpoint(checkpointBytes(opened.checkpoint), 'handed.safetensors');
    expect(back.meta).toEqual(opened.checkpoint.meta);
    expect(weightsOf(back)).toEqual(weightsOf(ORIGINAL));
  });

  it('reference safetensors without a config: inferred from the shapes, and said so', async () => {
    const opened = await openCheckpointFiles([file(REF_SAFETENSORS, `step_${STEP}.safetensors`)]);
    expect(opened.kind).toBe('reference');
    expect(opened.checkpoint.meta.step).toBe(STEP);
    expect(opened.notes).toContain('config: no all_config.yaml beside the checkpoint, so inferred from the shapes');
    expect(opened.checkpoint.meta.data.seqLen).toBe(16);
    expect(weightsOf(opened.checkpoint)).toEqual(weightsOf(ORIGINAL));
  });

  it('a TRM Lab checkpoint opens unchanged', async () => {
    const opened = await openCheckpointFiles([file(BUNDLED, 'sudoku-4x4.safetensors')]);
    expect(opened).toMatchObject({ kind: 'trm-lab', notes: [], bytes: BUNDLED.length });
    expect(opened.checkpoint.meta).toEqual(ORIGINAL.meta);
    expect(parseCheckpoint(checkpointBytes(opened.checkpoint)).meta).toEqual(ORIGINAL.meta);
  });

  it('refuses two checkpoints, hostile pickles, truncated archives and wrong shapes, each in one line naming the file', async () => {
    expectUserMessage(await rejectionMessage(openCheckpointFiles([file(TORCH_ZIP, 'step_1'), file(BUNDLED, 'b.safetensors')])), /^pick one checkpoint file, and optionally its all_config\.yaml with it \(got 2 files: "step_1", "b\.safetensors"\)$/);
    expectUserMessage(await rejectionMessage(openCheckpointFiles([file(YAML, 'all_config.yaml')])), /^pick one checkpoint file/);
    const hostile = concat(writeZip([{ name: 'step_1/data.pkl', data: Uint8Array.from([0x80, 2, ...new TextEncoder().encode('cposix\nsystem\n'), 0x2e]) }]));
    expectUserMessage(await rejectionMessage(openCheckpointFiles([file(hostile, 'step_1')])), /^step_1 \(data\.pkl\): refused pickle at byte 2: GLOBAL "posix\.system" is not allowed/);
    expectUserMessage(await rejectionMessage(openCheckpointFiles([file(TORCH_ZIP.subarray(0, TORCH_ZIP.length - 100), 'step_4')])), /^step_4: not a valid zip archive: no end-of-central-directory record/);
    const wrong = new Map(state);
    const [name, t] = [...wrong].find(([n]) => n.endsWith('lm_head.weight'))!;
    wrong.set(name, { shape: [t.shape[0], t.shape[1] - 1], data: t.data.subarray(0, t.shape[0] * (t.shape[1] - 1)) });
    const msg = await rejectionMessage(openCheckpointFiles([file(YAML, 'all_config.yaml'), file(concat(writeTorchZip(wrong, 'step_9')), 'step_9')]));
    expectUserMessage(msg, /^step_9: .*lm_head\.weight/);
    expectUserMessage(await rejectionMessage(openCheckpointFiles([file(TORCH_ZIP, 'step_1'), file('arch: !!python/object/apply:os.system [ls]\n', 'all_config.yaml')])), /^all_config\.yaml: not valid YAML/);
  });
  it('a very long file name is shortened in the message, so the problem still shows', async () => {
    const name = `${'long-name-'.repeat(30)}.safetensors`;
    const m = await rejectionMessage(openCheckpointFiles([file(new Uint8Array(4096).fill(0xff), name)]));
    expectUserMessage(m, /^long-name-long-name-long-name-long-name-long-name-…g-name-long-name-\.safetensors: not a valid safetensors file: header length \d+ exceeds the format's limit of 100000000 bytes$/);
  });
});

describe('openCheckpointUrl: HTTP range requests', () => {
  const BASE = 'https://example.test/ckpt';

  it('reads a torch.save archive by ranges, with the all_config.yaml beside it', async () => {
    const s = server({ [`/ckpt/step_${STEP}`]: TORCH_ZIP, '/ckpt/all_config.yaml': YAML });
    const opened = await openCheckpointUrl(`${BASE}/step_${STEP}`, { fetch: s.fetch });
    expect(opened).toMatchObject({ kind: 'reference', name: `step_${STEP}`, bytes: TORCH_ZIP.length });
    expect(opened.checkpoint.meta.config).toEqual(ORIGINAL.meta.config);
    expect(weightsOf(opened.checkpoint)).toEqual(weightsOf(ORIGINAL));
    const ckptRequests = s.requests.filter((r) => r.path.endsWith(`step_${STEP}`));
    expect(ckptRequests.every((r) => /^bytes=\d+-\d+$/.test(r.range ?? ''))).toBe(true);
    expect(s.requests.some((r) => r.path === '/ckpt/all_config.yaml')).toBe(true);
  });

  it('a missing all_config.yaml counts as none; the step comes from the URL even with a query', async () => {
    const s = server({ '/ckpt/step_7.safetensors': REF_SAFETENSORS });
    const opened = await openCheckpointUrl(`${BASE}/step_7.safetensors?download=true`, { fetch: s.fetch });
    expect(opened.checkpoint.meta.step).toBe(7);
    expect(opened.notes).toContain('config: no all_config.yaml beside the checkpoint, so inferred from the shapes');
  });

  it('a server without Range support: read whole below the limit, refused above it', async () => {
    const s = server({ '/ckpt/m.safetensors': BUNDLED }, false);
    expect((await openCheckpointUrl(`${BASE}/m.safetensors`, { fetch: s.fetch })).kind).toBe('trm-lab');
    expect(s.requests).toHaveLength(1);
    const msg = await rejectionMessage(openCheckpointUrl(`${BASE}/m.safetensors`, { fetch: s.fetch, wholeFileLimit: 1000 }));
    expectUserMessage(msg, new RegExp(`^"${BASE}/m\\.safetensors": the server does not support range requests, and the file is ${BUNDLED.length} bytes, over the 1000 bytes read whole$`));
    expect(WHOLE_FILE_LIMIT).toBeGreaterThan(BUNDLED.length);
  });

  it('reads only the ranges it needs from a large file', async () => {
    // A torch.save archive with a 64 MiB entry the import never needs (newer torch versions add entries such as
    // .data/serialization_id and byteorder): none of it is ever requested.
    const archive = `step_${STEP}`;
    const tensors = [...state].map(([name, t], key) => ({ name, key: String(key), dtype: 'F32' as const, shape: t.shape, data: t.data }));
    const big = concat(writeZip([
      { name: `${archive}/data.pkl`, data: pickleStateDict(tensors) },
      { name: `${archive}/.data/unneeded`, data: new Uint8Array(64 << 20) },
      ...tensors.map((t) => ({ name: `${archive}/data/${t.key}`, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) })),
      { name: `${archive}/version`, data: new TextEncoder().encode('3\n') },
    ]));
    const s = server({ [`/ckpt/${archive}`]: big });
    const opened = await openCheckpointUrl(`${BASE}/${archive}`, { fetch: s.fetch });
    expect(weightsOf(opened.checkpoint)).toEqual(weightsOf(ORIGINAL));
    const sent = s.requests.reduce((a, r) => a + r.sent, 0);
    expect(sent).toBeLessThan(2 * TORCH_ZIP.length);
    expect(opened.bytes).toBe(big.length);
    expect(opened.bytesRead).toBe(sent);
    expect(opened.bytesRead).toBeGreaterThan(TORCH_ZIP.length / 2);
  });

  it('URLs that fail are one line naming the URL', async () => {
    const s = server({});
    expectUserMessage(await rejectionMessage(openCheckpointUrl(`${BASE}/gone`, { fetch: s.fetch })), /^"https:\/\/example\.test\/ckpt\/gone": the server answered 404 "Not Found"$/);
    expectUserMessage(await rejectionMessage(openCheckpointUrl('ftp://example.test/x', { fetch: s.fetch })), /^"ftp:\/\/example\.test\/x": only http and https URLs can be opened$/);
    expectUserMessage(await rejectionMessage(openCheckpointUrl('not a url', { fetch: s.fetch })), /^"not a url" is not a URL$/);
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expectUserMessage(await rejectionMessage(openCheckpointUrl(`${BASE}/x`, { fetch: offline })), /^"https:\/\/example\.test\/ckpt\/x" could not be fetched \(offline, or the server does not allow this page: CORS\)/);
    // A server whose range answers stop matching what was asked (the file changed under it).
    let calls = 0;
    const shrinking = (async (_: unknown, init?: RequestInit) => {
      const range = /^bytes=(\d+)-(\d+)$/.exec(new Headers(init?.headers).get('range') ?? '')!;
      const from = Number(range[1]);
      const n = calls++ === 0 ? Math.min(Number(range[2]) + 1 - from, 100) : 3;
      return new Response(new Uint8Array(n), { status: 206, headers: { 'content-range': `bytes ${from}-${from + n - 1}/${10_000_000}` } });
    }) as typeof fetch;
    expectUserMessage(await rejectionMessage(openCheckpointUrl(`${BASE}/step_1`, { fetch: shrinking })), /^"https:\/\/example\.test\/ckpt\/step_1": asked for 65536 bytes, got 100$/);
    // A range answer announcing more than was asked is not read at all, nor is a large file that is not safetensors.
    let asked = 0;
    const flooding = (async (_: unknown, init?: RequestInit) => {
      const range = /^bytes=(\d+)-(\d+)$/.exec(new Headers(init?.headers).get('range') ?? '')!;
      const from = Number(range[1]), to = Number(range[2]);
      const body = new Uint8Array(to + 1 - from);
      if (from === 0) body.set([0x50, 0x4b]); // a zip, whose end records it reads next
      const length = asked++ === 0 ? body.length : 10_000_000_000;
      return new Response(body, { status: 206, headers: { 'content-range': `bytes ${from}-${to}/${10_000_000_000}`, 'content-length': String(length) } });
    }) as typeof fetch;
    expectUserMessage(await rejectionMessage(openCheckpointUrl(`${BASE}/step_2`, { fetch: flooding })), /^"https:\/\/example\.test\/ckpt\/step_2": asked for bytes 9999934443\.\.10000000000, the server is sending 10000000000 bytes \(did the file change\?\)$/);
  });
});

describe('stepOfName', () => {
  it('reads step_N from names, paths and URLs only', () => {
    expect(stepOfName('step_1234')).toBe(1234);
    expect(stepOfName('/runs/a/step_5.safetensors')).toBe(5);
    expect(stepOfName('https://h/x/resolve/main/step_9?download=true')).toBe(9);
    expect(stepOfName('mystep_3')).toBe(0);
    expect(stepOfName('step_3/other')).toBe(0);
  });
});
