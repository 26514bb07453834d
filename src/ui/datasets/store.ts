/**
 * The collection lives in a zustand store rather than in the panel, so it survives the panel unmounting (tabs)
 * and a load finishes into it even when nobody watches. The async loaders here are thin: the logic is in
 * collection.ts and loaders.ts.
 */
import { create } from 'zustand';
import type { ArcSourceId, TextCache } from '../../data/arc-sources';
import { readLocalFiles, type FileLike } from '../../io/local-files';
import { createTextCache, type ClearableTextCache } from '../../io/text-cache';
import { userMessage } from '../../io/user-error';
import { collectionReducer, EMPTY_COLLECTION, settleLoad, type CollectionAction, type CollectionState, type DatasetSet, type LoadingState } from './collection';
import { fetchWithProgress, loadPublicSet, localSets } from './loaders';

export interface DatasetsStore extends CollectionState {
  dispatch(action: CollectionAction): void;
}

export const useDatasets = create<DatasetsStore>()((set) => ({
  ...EMPTY_COLLECTION,
  dispatch: (action) => set((s) => collectionReducer(s, action)),
}));

const dispatch = (a: CollectionAction) => useDatasets.getState().dispatch(a);

let defaultCache: ClearableTextCache | undefined;
/** One Cache Storage-backed cache per page; its failures show as an error on the 'cache' origin. */
export function sharedTextCache(): ClearableTextCache {
  return (defaultCache ??= createTextCache({ onError: (message) => dispatch({ type: 'failed', errors: [{ origin: 'cache', kind: 'public', message }] }) }));
}

export interface PublicLoadDeps {
  fetch?: typeof fetch;
  cache?: TextCache;
}

/** Load a public source into the collection with progress; a failure becomes the source's error. */
export async function loadPublic(id: ArcSourceId, deps: PublicLoadDeps = {}): Promise<void> {
  const state: LoadingState = { kind: 'public', done: 0, total: 0 };
  let last = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!force && now - last < 100) return; // byte progress arrives per chunk; ten updates a second is plenty
    last = now;
    dispatch({ type: 'loading', origin: id, state: { ...state } });
  };
  report(true);
  const fetchFn = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const action = await settleLoad(id, 'public', async () => [
    await loadPublicSet(id, {
      fetch: fetchWithProgress(fetchFn, (_url, bytes) => {
        state.bytes = bytes;
        report(false);
      }),
      cache: deps.cache ?? sharedTextCache(),
      onProgress: (p) => {
        Object.assign(state, { done: p.done, total: p.total, cached: p.cached, bytes: undefined });
        report(true);
      },
    }),
  ]);
  dispatch(action);
}

/** Read dropped or picked files; good files become sets, bad ones errors, in one step. */
export async function loadLocal(files: readonly FileLike[]): Promise<void> {
  if (files.length === 0) return;
  dispatch({ type: 'loading', origin: 'local', state: { kind: 'local', done: 0, total: files.length } });
  // Each file's problem is listed by the loader; anything else still ends the load, with one line.
  try {
    const { sets, errors } = localSets(await readLocalFiles(files));
    dispatch({ type: 'loaded', sets, errors, origin: 'local' });
  } catch (err) {
    dispatch({ type: 'failed', errors: [{ origin: 'local', kind: 'local', message: userMessage(err, 'reading the chosen files') }], origin: 'local' });
  }
}

/**
 * Run a generator after the browser has painted the "generating" state (generation is synchronous and a large
 * set takes a moment).
 */
export function generateBuiltin(origin: string, make: () => DatasetSet): Promise<void> {
  dispatch({ type: 'loading', origin, state: { kind: 'builtin', done: 0, total: 1 } });
  return new Promise((resolve) =>
    setTimeout(async () => {
      dispatch(await settleLoad(origin, 'builtin', async () => [make()]));
      resolve();
    }, 0),
  );
}
