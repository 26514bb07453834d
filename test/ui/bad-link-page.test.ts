import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunStorage } from '../../src/io/browser-storage';
import { draftIssues, startBlockedReason } from '../../src/state/config-edit';
import { createTrainStore, type SavedRunMeta } from '../../src/state/train-store';
import { expectUserMessage } from '../helpers/user-message';
import { MemoryStore, workerHarness, until } from './train-harness';

const BUNDLED = () => ({ bytes: new Uint8Array(readFileSync('public/models/sudoku-4x4/model.safetensors')).buffer as ArrayBuffer, name: 'sudoku-4x4.safetensors' });

/** The page opened on `hash`, with no autosave, so it opens the bundled model as it does for a new visitor. */
async function open(hash: string) {
  const h = workerHarness();
  const store = createTrainStore({ client: h.client, storage: Promise.resolve(new RunStorage<SavedRunMeta>(new MemoryStore())), hash });
  const banner = store.getState().errors.url;
  await store.getState().boot({ fallback: async () => BUNDLED() });
  await until(store, (s) => s.run !== null);
  return { ...h, store, banner };
}

describe('a link with impossible sizes and junk, as the page opens it', () => {
  const hash = '#preset=maze&data.size=1000&data.trainMazes=1000000000000&optim.batchSize=1000000000&junk1=1&junk2=2&__proto__=x&constructor=y';

  it('names each bad part once in the banner before anything runs, every line bounded', async () => {
    const { banner, store } = await open(hash);
    const lines = banner!.split('\n');
    expect(lines).toEqual([
      '4 unknown settings in the link: "junk1", "junk2", "__proto__", "constructor" (ignored)',
      expect.stringMatching(/^optim\.batchSize from the link: must be an integer in \[1, 65536\], got 1000000000$/),
      expect.stringMatching(/^data\.size from the link: must be an integer in \[2, 30\], got 1000$/),
      expect.stringMatching(/^data\.trainMazes from the link: must be an integer in \[1, 1000000\], got 1000000000000$/),
    ]);
    for (const l of lines) expectUserMessage(l);
    // Opening the bundled model does not clear the banner.
    expect(store.getState().errors.url).toBe(banner);
  });

  it("keeps the link's config in the form when the bundled model opens, flagged on its fields", async () => {
    const { store } = await open(hash);
    const s = store.getState();
    expect(s.run?.config.data.kind).toBe('sudoku');
    expect(s.draft.preset).toBe('maze');
    expect(s.draft.config.data).toMatchObject({ kind: 'maze', size: 1000, trainMazes: 1e12 });
    const issues = draftIssues(s.draft.config, s.engine.limits);
    expect(issues.map((i) => i.field)).toEqual(['optim.batchSize', 'data.size', 'data.trainMazes']);
    expect(startBlockedReason(issues)).toBe("Start is disabled: the form's config has 3 problems (optim.batchSize, data.size, data.trainMazes), flagged beside their fields.");
  });

  it('Start refuses with the reasons and leaves the opened run as it was', async () => {
    const { store } = await open(hash);
    const before = store.getState().run!;
    await store.getState().start();
    const s = store.getState();
    expectUserMessage(s.errors.config, /^Fix the config first: optim\.batchSize: must be .*data\.size: must be .*data\.trainMazes/);
    expect(s.run?.id).toBe(before.id);
    expect(s.run?.state).toBe(before.state);
    // Choosing a preset replaces what the link set: the banner goes, and nothing blocks Start.
    store.getState().setPreset('maze');
    expect(store.getState().errors.url).toBeUndefined();
    expect(draftIssues(store.getState().draft.config, store.getState().engine.limits)).toEqual([]);
  });

  it('a link of only ignored parts leaves the form to the opened model', async () => {
    const { store, banner } = await open('#junk=1&model.hidden=abc');
    expect(banner!.split('\n')).toHaveLength(2);
    const s = store.getState();
    expect(s.draft.config).toEqual(s.run!.config);
  });
});
