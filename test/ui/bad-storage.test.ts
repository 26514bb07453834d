import { describe, expect, it } from 'vitest';
import { RunStorage } from '../../src/io/browser-storage';
import { createTrainStore, type SavedRunMeta, type TrainStore } from '../../src/state/train-store';
import { expectUserMessage, rejection } from '../helpers/user-message';
import { MemoryStore, tinyConfig, workerHarness, until } from './train-harness';

const enc = new TextEncoder();
const bytes = (n: number, v = 1) => new Uint8Array(n).fill(v);
const quota = () => Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });

/** A store whose writes of `failKey` fail with `error` (a full quota, or another failure) once it is set. */
class FailingStore extends MemoryStore {
  failKey: string | null = null;
  error: () => Error = quota;

  override async write(key: string, b: Uint8Array): Promise<void> {
    if (key === this.failKey) throw this.error();
    return super.write(key, b);
  }
}

/** A snapshot of every stored file, to show nothing changed. */
const snapshot = (m: MemoryStore) => new Map([...m.files].map(([k, v]) => [k, Array.from(v)]));

function page(mem: MemoryStore) {
  const h = workerHarness();
  const store = createTrainStore({ client: h.client, storage: Promise.resolve(new RunStorage<SavedRunMeta>(mem)), autosaveEvery: 4, autosaveMinMs: 0 });
  return { ...h, store };
}

/** A finished tiny run autosaved into `mem`; returns its final state. */
async function trainedInto(mem: MemoryStore): Promise<TrainStore> {
  const a = page(mem);
  await a.store.getState().boot();
  a.store.getState().setConfig(tinyConfig(4));
  await a.store.getState().start();
  return until(a.store, (s) => s.run?.state === 'done' && !s.storage.saving && s.storage.lastSavedStep === 4);
}

describe('bad browser storage', () => {
  it('a full quota on the last write of an autosave (the pointer) leaves the previous save whole and says the run goes on in memory', async () => {
    const mem = new FailingStore();
    const s = new RunStorage<{ step: number }>(mem);
    await s.save({ checkpoint: bytes(50, 1), meta: { step: 10 } }, 'step 10');
    mem.failKey = 'autosave.json';
    const before = snapshot(mem);
    const err = await rejection(s.save({ checkpoint: bytes(50, 2), meta: { step: 20 } }, 'the autosave at step 20'));
    expectUserMessage(err.message, /^Browser storage is full: the autosave at step 20 \(\d+ B\) could not be written; the previous autosave is kept\. Training goes on in memory/);
    expect(snapshot(mem)).toEqual(before);
    expect((await s.load())?.meta).toEqual({ step: 10 });
  });

  it('weights that turned NaN are not autosaved: the save is refused naming the tensor, and the finite autosave stays', async () => {
    const mem = new MemoryStore();
    const a = page(mem);
    await a.store.getState().boot();
    a.store.getState().setConfig(tinyConfig(4));
    await a.store.getState().start();
    await until(a.store, (s) => s.run?.state === 'done' && !s.storage.saving && s.storage.lastSavedStep === 4);
    const before = snapshot(mem);
    // A diverged run: the worker's live weights hold NaN (as an overflowing update leaves them).
    const trainer = (a.core as unknown as { run: { trainer: { engine: { write(t: unknown, d: Float32Array): void }; arena: { data: unknown; total: number }; ema: { shadow: unknown } | null } } }).run.trainer;
    const nan = new Float32Array(trainer.arena.total).fill(NaN);
    trainer.engine.write(trainer.arena.data, nan);
    if (trainer.ema) trainer.engine.write(trainer.ema.shadow, nan);
    await a.store.getState().saveNow();
    // A save already in flight (the one 'done' queued) runs this one after it.
    const s = await until(a.store, (x) => x.errors.storage !== undefined && !x.storage.saving);
    expectUserMessage(s.errors.storage, /the weights at step 4 hold NaN\/Inf \("inner\.embed_tokens\.embedding_weight": \d+ NaN of \d+/, /so they were not saved/);
    expect(snapshot(mem)).toEqual(before);
    expect(s.storage.lastSavedStep).toBe(4);
  });

  it('a failure that is not the quota is named, says what was not saved, and keeps the previous save', async () => {
    const mem = new FailingStore();
    const s = new RunStorage<{ step: number }>(mem);
    await s.save({ checkpoint: bytes(50, 1), meta: { step: 10 } }, 'step 10');
    const before = snapshot(mem);
    mem.failKey = 'run-b.json';
    mem.error = () => Object.assign(new Error('disk I/O error'), { name: 'UnknownError' });
    const err = await rejection(s.save({ checkpoint: bytes(50, 2), meta: { step: 20 } }, 'the autosave at step 20'));
    expectUserMessage(err.message, /^Autosave failed \(memory\): disk I\/O error; the autosave at step 20 was not saved and the previous autosave is kept\.$/);
    expect(snapshot(mem)).toEqual(before);
    expect((await s.load())?.meta).toEqual({ step: 10 });
  });

  it('a damaged pointer is reported on load, and the next save replaces it', async () => {
    const mem = new MemoryStore();
    mem.files.set('autosave.json', enc.encode('{"slot": "../../etc"}'));
    const s = new RunStorage<{ step: number }>(mem);
    await expect(s.load()).rejects.toThrow(/^the autosave's pointer \(autosave\.json\) names no save slot$/);
    mem.files.set('autosave.json', enc.encode('{not json'));
    const err = await rejection(s.load());
    expectUserMessage(err.message, /^the stored autosave\.json is damaged \(9 bytes that are not JSON\)$/);
    await s.save({ checkpoint: bytes(10, 3), meta: { step: 3 } }, 'step 3');
    expect((await s.load())?.meta).toEqual({ step: 3 });
  });

  it("a record that is not JSON is named without echoing its bytes; a missing checkpoint file is named", async () => {
    const mem = new MemoryStore();
    const s = new RunStorage<{ step: number }>(mem);
    await s.save({ checkpoint: bytes(10), meta: { step: 1 } }, 'step 1');
    mem.files.set('run-a.json', enc.encode(`{"step": ${'9'.repeat(1_000_000)}`));
    const err = await rejection(s.load());
    expectUserMessage(err.message, /^the stored run-a\.json is damaged \(1000009 bytes that are not JSON\)$/);
    mem.files.delete('run-a.safetensors');
    await expect(s.load()).rejects.toThrow(/^the autosave in memory is incomplete \(run-a\.safetensors is missing\)$/);
  });

  it('the page opens over a corrupt autosave record: reported, left in storage, nothing crashes', async () => {
    const mem = new MemoryStore();
    await trainedInto(mem);
    const pointer = JSON.parse(new TextDecoder().decode(mem.files.get('autosave.json'))) as { slot: string };
    mem.files.set(`run-${pointer.slot}.json`, enc.encode('<html>not json</html>'));
    const before = snapshot(mem);
    const b = page(mem);
    await b.store.getState().boot();
    const s = b.store.getState();
    expectUserMessage(s.errors.storage, /^The autosaved run could not be opened, so it was not restored \(it stays in storage until the next save\): the stored run-[ab]\.json is damaged \(21 bytes that are not JSON\)$/);
    expect(s.run).toBeNull();
    expect(snapshot(mem)).toEqual(before);
  });

  it('an autosave record of the wrong shape opens its weights without charts and names the bad field', async () => {
    const mem = new MemoryStore();
    const done = await trainedInto(mem);
    const pointer = JSON.parse(new TextDecoder().decode(mem.files.get('autosave.json'))) as { slot: string };
    const key = `run-${pointer.slot}.json`;
    const meta = JSON.parse(new TextDecoder().decode(mem.files.get(key))) as Record<string, unknown>;
    mem.files.set(key, enc.encode(JSON.stringify({ ...meta, history: { points: 'lots', stride: 1, pending: [], max: 400 } })));
    const b = page(mem);
    await b.store.getState().boot();
    const s = await until(b.store, (x) => x.run !== null);
    expectUserMessage(s.errors.storage, /^The autosaved run's record is damaged \(history is not a chart history\): its weights were opened without its charts\.$/);
    expect(s.run!.step).toBe(done.run!.step);
    expect(s.run!.history.points).toEqual([]);
  });

  it('damaged rows of the runs table are skipped with one message; the good rows load', async () => {
    const mem = new MemoryStore();
    const done = await trainedInto(mem);
    const good = done.runs[0];
    const rows = [null, 5, { ...good, id: 'x', name: { html: '<b>' } }, { ...good, id: 'y', config: { ...good.config, model: { ...good.config.model, hidden: '__proto__' } } }, { ...good, id: 'z', curve: 'up' }, good];
    mem.files.set('runs.json', enc.encode(JSON.stringify(rows)));
    const b = page(mem);
    await b.store.getState().boot();
    const s = await until(b.store, (x) => x.runs.length > 0 && !!x.errors.storage);
    expectUserMessage(s.errors.storage, /^5 of 6 stored runs are damaged or from an unknown version: left out of the runs table/);
    expect(s.runs.map((r) => r.id)).toEqual([good.id]);
  });

  it('a runs table that is not JSON, or not a list, is reported and the page opens without it', async () => {
    for (const [stored, pattern] of [
      ['[{"id": "a", ', /^The stored runs table could not be read, so it is not shown \(the next save replaces it\): the stored runs\.json is damaged \(13 bytes that are not JSON\)$/],
      ['{"__proto__": {"polluted": 1}}', /^The stored runs table is not a list: it was skipped/],
    ] as const) {
      const mem = new MemoryStore();
      mem.files.set('runs.json', enc.encode(stored));
      const b = page(mem);
      await b.store.getState().boot();
      const s = await until(b.store, (x) => !!x.errors.storage);
      expectUserMessage(s.errors.storage, pattern);
      expect(s.runs).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });
});
