import { describe, expect, it } from 'vitest';
import { isQuotaError, QuotaError, RunStorage } from '../../src/io/browser-storage';
import { MemoryStore } from './train-harness';

const bytes = (n: number, v = 1) => new Uint8Array(n).fill(v);

describe('autosave storage', () => {
  it('saves and loads the latest run, swapping slots and deleting the older one only after the new one is whole', async () => {
    const mem = new MemoryStore();
    const s = new RunStorage<{ step: number }>(mem);
    expect(await s.load()).toBeNull();
    await s.save({ checkpoint: bytes(100, 1), meta: { step: 1 } }, 'step 1');
    await s.save({ checkpoint: bytes(100, 2), meta: { step: 2 } }, 'step 2');
    const got = await s.load();
    expect(got?.meta).toEqual({ step: 2 });
    expect(got?.checkpoint[0]).toBe(2);
    // Only one slot's files remain, plus the pointer.
    expect([...mem.files.keys()].filter((k) => k.startsWith('run-')).length).toBe(2);
    await s.clear();
    expect(await s.load()).toBeNull();
  });

  it('a full quota during the write keeps the previous save intact and says so', async () => {
    const mem = new MemoryStore(400);
    const s = new RunStorage<{ step: number }>(mem);
    await s.save({ checkpoint: bytes(150, 1), meta: { step: 10 } }, 'step 10');
    const err = await s.save({ checkpoint: bytes(250, 2), meta: { step: 20 } }, 'the autosave at step 20').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaError);
    expect((err as Error).message).toMatch(/storage is full.*the autosave at step 20.*previous autosave is kept/);
    const got = await s.load();
    expect(got?.meta).toEqual({ step: 10 });
    expect(got?.checkpoint.every((b) => b === 1)).toBe(true);
    // The partial new slot was removed, so a smaller save fits again.
    await s.save({ checkpoint: bytes(150, 3), meta: { step: 30 } }, 'step 30');
    expect((await s.load())?.meta).toEqual({ step: 30 });
  });

  it('refuses up front when the browser estimate says it cannot fit, writing nothing', async () => {
    const mem = new MemoryStore();
    const s = new RunStorage<{ step: number }>(mem, async () => ({ usage: 900, quota: 1000 }));
    await expect(s.save({ checkpoint: bytes(200), meta: { step: 1 } }, 'step 1')).rejects.toThrow(/900 B of 1000 B used.*nothing was saved before/);
    expect(mem.files.size).toBe(0);
    const roomy = new RunStorage<{ step: number }>(mem, async () => ({ usage: 0, quota: 1e9 }));
    await roomy.save({ checkpoint: bytes(200), meta: { step: 1 } }, 'step 1');
    expect((await roomy.load())?.meta).toEqual({ step: 1 });
  });

  it('serialises overlapping saves so the last one wins whole', async () => {
    const s = new RunStorage<{ step: number }>(new MemoryStore());
    await Promise.all([1, 2, 3].map((k) => s.save({ checkpoint: bytes(10, k), meta: { step: k } }, `step ${k}`)));
    const got = await s.load();
    expect(got?.meta).toEqual({ step: 3 });
    expect(got?.checkpoint[0]).toBe(3);
  });

  it('recognises the browsers\' quota errors', () => {
    expect(isQuotaError(Object.assign(new Error('x'), { name: 'QuotaExceededError' }))).toBe(true);
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaError({ code: 22 })).toBe(true);
    expect(isQuotaError(new Error('disk I/O'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
  });
});
