import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunStorage } from '../../src/io/browser-storage';
import { getPreset } from '../../src/trm/presets';
import { createTrainStore, type SavedRunMeta } from '../../src/state/train-store';
import { WorkerClient, type WorkerPort } from '../../src/worker/client';
import { WorkerCore } from '../../src/worker/core';
import { cpuEngine } from '../../src/worker/engines';
import type { WorkerEvent, WorkerRequest } from '../../src/worker/protocol';
import { expectUserMessage, rejection } from '../helpers/user-message';
import { MemoryStore, tinyConfig, workerHarness, until } from './train-harness';

/** The bundled trained model, as the page fetches it on open. */
const BUNDLED = () => new Uint8Array(readFileSync('public/models/sudoku-4x4/model.safetensors')).buffer as ArrayBuffer;

function page(hash = '') {
  const h = workerHarness();
  const store = createTrainStore({ client: h.client, storage: Promise.resolve(new RunStorage<SavedRunMeta>(new MemoryStore())), hash, autosaveMinMs: 0 });
  return { ...h, store };
}

/** A header that claims `n` bytes of JSON, then `json`. */
function safetensors(json: string, n = json.length): ArrayBuffer {
  const b = new Uint8Array(8 + json.length);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  b.set(new TextEncoder().encode(json), 8);
  return b.buffer;
}

describe('the worker boundary and files opened in the page', () => {
  it('a request holding something that is not plain data is refused in one line, and the client stays usable', async () => {
    const { client } = workerHarness();
    await client.request({ type: 'init', backend: 'cpu' });
    const bad = { inputs: new Int32Array(16), labels: new Int32Array(16), puzzleId: 0, render: () => 'not data' };
    const err = await rejection(client.request({ type: 'trace', example: bad }));
    expectUserMessage(err.message, /^the trace request: the data could not be passed to the worker \(it holds something that is not plain data\)$/);
    // The next request is answered: the refused one left nothing pending in its way.
    await expect(client.request({ type: 'init', backend: 'cpu' })).resolves.toMatchObject({ type: 'ready', backend: 'cpu' });
  });

  it('a command that cannot be cloned becomes an error event, not an exception in the page', () => {
    const { client } = workerHarness();
    const seen: WorkerEvent[] = [];
    client.on((e) => seen.push(e));
    expect(() => client.send({ type: 'set-live', lr: (() => 1) as unknown as number })).not.toThrow();
    expect(seen).toHaveLength(1);
    expectUserMessage(seen[0].type === 'error' ? seen[0].message : undefined, /^the set-live command: the data could not be passed to the worker/);
  });

  it("a worker message that cannot be cloned reaches the page as an error answering its request", async () => {
    const listeners: ((e: MessageEvent) => void)[] = [];
    const core = new WorkerCore((ev) => {
      const copy = structuredClone(ev.type === 'ready' ? { ...ev, limits: { ...ev.limits, describe: () => 'a function' } } : ev);
      queueMicrotask(() => listeners.forEach((l) => l({ data: copy } as MessageEvent)));
    }, async () => cpuEngine());
    const port: WorkerPort = {
      postMessage: (m) => void core.handle(structuredClone(m) as WorkerRequest),
      addEventListener: (type: string, l: (e: never) => void) => void (type === 'message' && listeners.push(l as (e: MessageEvent) => void)),
      terminate: () => undefined,
    };
    const err = await rejection(new WorkerClient(port).request({ type: 'init', backend: 'cpu' }));
    expectUserMessage(err.message, /^the worker's "ready" message: the data could not be passed to the worker/);
  });

  it('a request the worker does not know, or no request at all, is answered with an error, not silence', async () => {
    const events: WorkerEvent[] = [];
    const core = new WorkerCore((ev) => events.push(ev), async () => cpuEngine());
    await core.handle({ type: 'teleport', requestId: 7 } as unknown as WorkerRequest);
    await core.handle(null as unknown as WorkerRequest);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'error', requestId: 7 });
    expectUserMessage(events[0].type === 'error' ? events[0].message : undefined, /^the training worker has no request "teleport"$/);
    expectUserMessage(events[1].type === 'error' ? events[1].message : undefined, /^the training worker got null where a request belongs$/);
  });

  it('failures inside the worker reach the page as bounded lines, never a runtime class name', async () => {
    const a = page();
    await a.store.getState().boot();
    a.store.getState().setConfig(tinyConfig(2));
    await a.store.getState().reset();
    const err = await rejection(a.store.getState().trace({ inputs: new Int32Array(5_000_000), labels: new Int32Array(5_000_000), puzzleId: 0 }));
    expectUserMessage(err.message, /^the example has 5000000 tokens; this model reads 16/);
    expectUserMessage(a.store.getState().errors.trace, /5000000 tokens/);
  });

  it('a damaged checkpoint opened in the page is named in one bounded line, and the run loaded before stays', async () => {
    const a = page();
    await a.store.getState().boot({ fallback: async () => ({ bytes: BUNDLED(), name: 'sudoku-4x4.safetensors' }) });
    const before = await until(a.store, (s) => s.run !== null);
    const cases: [ArrayBuffer, string, RegExp][] = [
      [new ArrayBuffer(8), 'eight-bytes.safetensors', /^eight-bytes\.safetensors: .*header/],
      [safetensors('{}', 2 ** 52), 'huge-header.safetensors', /^huge-header\.safetensors: .*header length 4503599627370496 exceeds/],
      [safetensors('null'), 'null-header.safetensors', /^null-header\.safetensors: .*header is null/],
      // A long file name is shortened so the problem still shows.
      [new Uint8Array(5_000_000).fill(0xff).buffer, `${'x'.repeat(300)}.safetensors`, /^x{50}…x{17}\.safetensors: .*header length \d+ exceeds/],
      [safetensors(`{"__metadata__": {"trm_lab": "${'{'.repeat(100_000)}"}}`), 'deep.safetensors', /^deep\.safetensors: .*"trm_lab"/],
    ];
    for (const [bytes, name, problem] of cases) {
      expect(await a.store.getState().importCheckpoint(bytes, name)).toBe(false);
      const s = a.store.getState();
      expectUserMessage(s.errors.checkpoint, problem);
      expect(s.run?.id).toBe(before.run!.id);
      expect(s.run?.step).toBe(before.run!.step);
      expect(s.draft.config).toEqual(before.draft.config);
    }
  });

  it('ARC tasks whose held-out tests have no outputs still train: evaluations are skipped, said once, never scored', async () => {
    const { client, events, next } = workerHarness();
    await client.request({ type: 'init', backend: 'cpu' });
    const cfg = getPreset('mini-arc');
    cfg.model = { ...cfg.model, hidden: 16, heads: 2, puzzleEmbDim: 16, T: 1, n: 1, nSup: 2, expansion: 2 };
    cfg.optim = { ...cfg.optim, batchSize: 4 };
    cfg.data = { kind: 'arc', source: 'mini-arc', canvas: 4, augmentations: 1, translate: false };
    Object.assign(cfg, { steps: 4, evalEvery: 2, evalSamples: 4 });
    const grid = (v: number) => ({ h: 2, w: 2, cells: new Uint8Array([v, 0, 0, v]) });
    const pair = (v: number) => ({ input: grid(v), output: grid(v + 1) });
    const arcTasks = {
      train: [{ id: 't1', train: [pair(1)], test: [pair(2)] }],
      eval: [{ id: 'e1', train: [pair(3)], test: [{ input: grid(4) }] }],
    };
    await client.request({ type: 'create-run', runId: 'untargeted', config: cfg, arcTasks });
    const done = next((e) => e.type === 'state' && (e.state === 'done' || e.state === 'error'));
    client.send({ type: 'start' });
    expect(await done).toMatchObject({ state: 'done', step: 4 });
    const notes = events.filter((e) => e.type === 'error').map((e) => (e.type === 'error' ? e.message : ''));
    expect(notes).toHaveLength(1);
    expectUserMessage(notes[0], /no held-out example has a target \(e\.g\. ARC test inputs without outputs\), so evaluations are skipped; training goes on$/);
    expect(events.filter((e) => e.type === 'eval')).toEqual([]);
  });

  it('a file that cannot be read is named with the reason, and nothing changes', async () => {
    const a = page();
    await a.store.getState().boot();
    const unreadable = { arrayBuffer: () => Promise.reject(Object.assign(new Error('The requested file could not be read.'), { name: 'NotReadableError' })) } as unknown as Blob;
    Object.setPrototypeOf(unreadable, Blob.prototype);
    expect(await a.store.getState().importCheckpoint(unreadable, 'gone.safetensors')).toBe(false);
    expectUserMessage(a.store.getState().errors.checkpoint, /^"gone\.safetensors" could not be read: The requested file could not be read\.$/);
    expect(a.store.getState().run).toBeNull();
  });
});
