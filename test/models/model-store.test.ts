import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createModelStore } from '../../src/state/model-store';

/** The catalog served from public/ as the page fetches it; runs opened are recorded and announced. */
function harness(serve: (path: string) => string | Buffer | null = (p) => readFileSync(`public/${p}`)) {
  const listeners: ((run: { id: string; name: string }) => void)[] = [];
  const opened: string[] = [];
  const store = createModelStore({
    base: '/',
    fetch: async (url) => {
      const body = serve(url.slice(1));
      return body === null ? new Response('missing', { status: 404 }) : new Response(typeof body === 'string' ? body : new Uint8Array(body));
    },
    openRun: async (_bytes, name) => {
      opened.push(name);
      listeners.forEach((l) => l({ id: `run-${opened.length}`, name }));
      return true;
    },
    watchRuns: (l) => listeners.push(l),
  });
  return { store, opened, announce: (run: { id: string; name: string }) => listeners.forEach((l) => l(run)) };
}

describe('the model store', () => {
  it('boots on the first shipped model and marks the run it became, then charts its log', async () => {
    const { store, announce } = harness();
    const first = (JSON.parse(readFileSync('public/models/index.json', 'utf8')) as { models: string[] }).models[0];
    const fb = await store.getState().fallback();
    expect(fb!.name).toBe(first);
    expect(fb!.bytes.byteLength).toBe(readFileSync(`public/models/${first}/model.safetensors`).length);
    announce({ id: 'run-a', name: first });
    expect(store.getState().opened).toEqual({ id: first, runId: 'run-a' });
    const log = await store.getState().loadLog(first);
    const lines = readFileSync(`public/models/${first}/log.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; exactAccuracy?: number });
    expect(log!.evals.map((e) => e.exactAccuracy)).toEqual(lines.filter((l) => l.type === 'eval').map((l) => l.exactAccuracy));
    announce({ id: 'run-b', name: 'my-own' }); // another run (a reset, a file) is not the shipped model
    expect(store.getState().opened).toBeNull();
  });

  it('a run that lands before the boot fallback ends its opening: the picker is not left waiting', async () => {
    const { store, announce } = harness();
    await store.getState().fallback();
    expect(store.getState().opening).not.toBeNull();
    announce({ id: 'run-a', name: 'picked' }); // the training store then skips the fallback's bytes
    expect(store.getState()).toMatchObject({ opening: null, opened: null });
  });

  it('opens a model from the picker; a missing one is one line naming the file', async () => {
    const { store, opened } = harness((p) => (p.endsWith('model.safetensors') && p.includes('gone') ? null : p.endsWith('index.json') ? '{"models":["sudoku-4x4","gone"]}' : readFileSync(`public/${p.replace('gone', 'sudoku-4x4')}`)));
    await store.getState().loadCatalog().catch(() => undefined);
    expect(await store.getState().open('sudoku-4x4')).toBe(true);
    expect(store.getState().opened).toEqual({ id: 'sudoku-4x4', runId: 'run-1' });
    expect(await store.getState().open('gone')).toBe(false);
    expect(store.getState().error).toBe('/models/gone/model.safetensors: the model gone could not be fetched (HTTP 404)');
    expect(opened).toEqual(['sudoku-4x4']);
  });
});
