import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunStorage } from '../../src/io/browser-storage';
import { encodeUrlState } from '../../src/io/url-state';
import { createTrainStore, type SavedRunMeta } from '../../src/state/train-store';
import { MemoryStore, tinyConfig, workerHarness, until } from './train-harness';

function setup(mem = new MemoryStore(), hash = '') {
  const h = workerHarness();
  const shared: string[] = [];
  const store = createTrainStore({
    client: h.client,
    storage: Promise.resolve(new RunStorage<SavedRunMeta>(mem)),
    hash,
    onShare: (s) => shared.push(encodeUrlState(s)),
    autosaveEvery: 4,
    autosaveMinMs: 0,
  });
  return { ...h, store, mem, shared };
}

describe('train store over the worker core (CPU engine)', () => {
  it('boots, trains the draft config with live charts, autosaves, and a new page restores the run with its charts', async () => {
    const mem = new MemoryStore();
    const a = setup(mem);
    await a.store.getState().boot();
    expect(a.store.getState().engine).toMatchObject({ status: 'ready', backend: 'cpu', fallbackReason: expect.stringContaining('WebGPU') });
    expect(a.store.getState().storage.kind).toBe('memory');
    a.store.getState().setConfig(tinyConfig(8));
    expect(a.shared.at(-1)).toMatch(/^preset=sudoku-4x4&model.hidden=16/);
    await a.store.getState().start();
    const done = await until(a.store, (s) => s.run?.state === 'done' && !s.storage.saving && s.storage.lastSavedStep === 8);
    expect(done.run!.history.points.length + done.run!.history.pending.length).toBeGreaterThan(0);
    expect(done.run!.evals.map((e) => e.step)).toEqual([3, 6, 8]);
    expect(done.runs[0]).toMatchObject({ id: done.run!.id, state: 'done', step: 8 });
    expect(done.errors.storage).toBeUndefined();

    // A reload: a new store and worker over the same storage.
    const b = setup(mem);
    await b.store.getState().boot();
    const restored = await until(b.store, (s) => s.run !== null && s.runs.length > 0);
    expect(restored.run).toMatchObject({ id: done.run!.id, step: 8, state: 'done', name: done.run!.name });
    expect(restored.run!.history).toEqual(done.run!.history);
    expect(restored.run!.evals).toEqual(done.run!.evals);
    expect(restored.runs.map((r) => r.id)).toContain(done.run!.id);
    // Without a config in the link, the form follows the restored run.
    expect(restored.draft.config).toEqual(tinyConfig(8));
  });

  it('restores from the URL hash and reports a malformed one without failing', async () => {
    const a = setup(new MemoryStore(), '#preset=maze&optim.lr=0.005&puzzle=eval:3');
    expect(a.store.getState().draft.preset).toBe('maze');
    expect(a.store.getState().draft.config.optim.lr).toBe(0.005);
    expect(a.store.getState().puzzle).toBe('eval:3');
    const b = setup(new MemoryStore(), '#preset=zzz&model.hidden=big');
    expect(b.store.getState().draft.preset).toBe('sudoku-4x4');
    expect(b.store.getState().errors.url).toMatch(/unknown preset "zzz"[\s\S]*model.hidden in the link: "big" is not a number/);
  });

  it('pause autosaves; a full quota says so and keeps the earlier save', async () => {
    const mem = new MemoryStore();
    const a = setup(mem);
    await a.store.getState().boot();
    a.store.getState().setConfig({ ...tinyConfig(400), evalEvery: 0 });
    await a.store.getState().start();
    await until(a.store, (s) => (s.storage.lastSavedStep ?? 0) >= 4 && !s.storage.saving);
    const firstSaved = a.store.getState().storage.lastSavedStep!;
    mem.capacity = mem.used + 100; // nearly full now
    a.store.getState().pause();
    const s = await until(a.store, (x) => x.run?.state === 'paused' && !!x.errors.storage);
    expect(s.errors.storage).toMatch(/storage is full.*previous autosave is kept/);
    const kept = (await new RunStorage<SavedRunMeta>(mem).load())?.meta as SavedRunMeta;
    expect(kept.step).toBeGreaterThanOrEqual(firstSaved);
    expect(kept.step).toBeLessThan(s.run!.step + 1);
  });

  it('shows config problems next to the config, and checkpoint problems next to import', async () => {
    const a = setup();
    await a.store.getState().boot();
    a.store.getState().setField('optim.lr', -1);
    await a.store.getState().start();
    expect(a.store.getState().errors.config).toMatch(/optim.lr/);
    expect(a.store.getState().run).toBeNull();
    expect(await a.store.getState().importCheckpoint(new ArrayBuffer(8), 'broken.safetensors')).toBe(false);
    expect(a.store.getState().errors.checkpoint).toMatch(/broken\.safetensors/);
    a.store.getState().setField('optim.lr', 0.001);
    a.store.getState().setField('data.kind', 'arc');
    await a.store.getState().start();
    expect(a.store.getState().errors.config).toMatch(/Load the mini-arc tasks/);
  });

  it('exports a checkpoint and imports it as a new run with its config in the form; live settings reach the worker', async () => {
    const a = setup();
    await a.store.getState().boot();
    a.store.getState().setConfig(tinyConfig(3));
    await a.store.getState().start();
    await until(a.store, (s) => s.run?.state === 'done');
    const out = await a.store.getState().exportCheckpoint();
    expect(out?.fileName).toBe('trm-sudoku-4x4-custom-step3.safetensors');
    a.store.getState().setPreset('maze');
    expect(await a.store.getState().importCheckpoint(out!.bytes.slice().buffer, out!.fileName)).toBe(true);
    const s = a.store.getState();
    expect(s.run?.step).toBe(3);
    expect(s.draft.config).toEqual(tinyConfig(3));
    expect(s.runs.length).toBe(2);
    a.store.getState().setLiveLr(0.02);
    expect(a.store.getState().live.lr).toBe(0.02);
    a.store.getState().setLiveLr(-3);
    expect(a.store.getState().errors.live).toMatch(/learning rate/);
    const ex = await a.store.getState().examples('eval', 1);
    // The trace so far comes after every supervision step but the last, each extending the one before.
    const partial: { steps: number; frames: number }[] = [];
    const trace = await a.store.getState().trace(ex[0], { onProgress: (t) => partial.push({ steps: t.steps.length, frames: t.frames.length }) });
    expect(trace.nSup).toBe(2);
    expect(partial).toEqual([{ steps: 1, frames: trace.frames.length / 2 }]);
  });

  it('a model opened while the first shipped model still downloads stays: the boot fallback does not replace it', async () => {
    const shipped = new Uint8Array(readFileSync('public/models/sudoku-4x4/model.safetensors'));
    const a = setup();
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const booting = a.store.getState().boot({ fallback: async () => (await slow, { bytes: shipped.slice().buffer, name: 'sudoku-4x4' }) });
    await until(a.store, (s) => s.engine.status === 'ready');
    expect(await a.store.getState().importCheckpoint(shipped.slice().buffer, 'picked.safetensors')).toBe(true);
    release();
    await booting;
    expect(a.store.getState().run?.name).toBe('picked');
  });
});

