/**
 * The shipped model catalog in the page: the cards (public/models/index.json order), which shipped model the
 * current run was opened from, and each model's training log for the charts. Kept apart from the training
 * store: opening a model goes through its importCheckpoint like any checkpoint file.
 */
import { useEffect } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import { userMessage } from '../io/user-error';
import { CARD_FILE, INDEX_FILE, LOG_FILE, MODEL_FILE, parseCard, parseIndex, type ModelCard } from '../models/catalog';
import { parseLog, type ShippedLog } from '../models/log';
import { getTrainStore } from './train-store';

export interface ModelState {
  /** The catalog in index order; null until it has loaded. */
  cards: ModelCard[] | null;
  /** The shipped model the current run was opened from (and that run), or null. */
  opened: { id: string; runId: string } | null;
  /** A model being fetched and opened. */
  opening: string | null;
  logs: Readonly<Record<string, ShippedLog>>;
  error: string | null;
}

export interface ModelActions {
  /** Fetch index.json and every card (once; later calls return the same promise). */
  loadCatalog(): Promise<ModelCard[]>;
  /** The training store's boot fallback: the catalog's first model, as checkpoint bytes named after its id. */
  fallback(): Promise<{ bytes: ArrayBuffer; name: string } | null>;
  /** Fetch a shipped model and open it as the run; false (with `error` set) when it could not be. */
  open(id: string): Promise<boolean>;
  /** A model's log.jsonl as chart series (fetched once). */
  loadLog(id: string): Promise<ShippedLog | null>;
}

export type ModelStore = ModelState & ModelActions;

export interface ModelStoreDeps {
  /** Where the catalog lives ("<base>models/…"). */
  base: string;
  fetch: (url: string) => Promise<Response>;
  /** Open checkpoint bytes as the run, named `name` (the training store's importCheckpoint); false when it did not open. */
  openRun: (bytes: ArrayBuffer, name: string) => Promise<boolean>;
  /** Calls `listener` with each new current run, as soon as it is installed (before any component renders it). */
  watchRuns: (listener: (run: { id: string; name: string }) => void) => void;
}

export function createModelStore(deps: ModelStoreDeps): StoreApi<ModelStore> {
  const url = (...parts: string[]) => `${deps.base}models/${parts.join('/')}`;
  const get = async (path: string[], what: string): Promise<Response> => {
    const res = await deps.fetch(url(...path));
    if (!res.ok) throw new Error(`${url(...path)}: the ${what} could not be fetched (HTTP ${res.status})`);
    return res;
  };
  let catalog: Promise<ModelCard[]> | null = null;
  const logs = new Map<string, Promise<ShippedLog | null>>();
  /** `opening` is the boot fallback's, which the training store skips when another run came first. */
  let fallbackOpening = false;

  const store = createStore<ModelStore>()((set, getState) => {
    const fail = (err: unknown) => set({ error: userMessage(err), opening: null });
    const bytesOf = async (id: string) => (await get([id, MODEL_FILE], `model ${id}`)).arrayBuffer();

    return {
      cards: null,
      opened: null,
      opening: null,
      logs: {},
      error: null,

      loadCatalog() {
        catalog ??= (async () => {
          const ids = parseIndex(await (await get([INDEX_FILE], 'model catalog')).text(), url(INDEX_FILE));
          const cards = await Promise.all(ids.map(async (id) => parseCard(await (await get([id, CARD_FILE], `card of ${id}`)).text(), url(id, CARD_FILE))));
          set({ cards });
          return cards;
        })();
        catalog.catch(fail);
        return catalog;
      },

      async fallback() {
        const [first] = await getState().loadCatalog();
        fallbackOpening = true;
        set({ opening: first.id });
        return { bytes: await bytesOf(first.id), name: first.id };
      },

      async open(id) {
        fallbackOpening = false;
        set({ opening: id, error: null });
        try {
          const ok = await deps.openRun(await bytesOf(id), id);
          set({ opening: null });
          return ok;
        } catch (err) {
          fail(err);
          return false;
        }
      },

      loadLog(id) {
        let log = logs.get(id);
        if (!log) {
          log = get([id, LOG_FILE], `training log of ${id}`)
            .then(async (res) => parseLog(await res.text(), url(id, LOG_FILE)))
            .then((l) => {
              set((s) => ({ logs: { ...s.logs, [id]: l } }));
              return l;
            })
            .catch((err: unknown) => {
              fail(err);
              return null;
            });
          logs.set(id, log);
        }
        return log;
      },
    };
  });
  // A run opened from a shipped model is marked as it is installed, so whatever renders it knows its card.
  deps.watchRuns((run) => {
    const { opening } = store.getState();
    const mine = opening !== null && run.name === opening;
    store.setState(mine ? { opened: { id: opening, runId: run.id }, opening: null } : { opened: null, ...(fallbackOpening && { opening: null }) });
    fallbackOpening = false;
  });
  return store;
}

let singleton: StoreApi<ModelStore> | null = null;

/** The app's catalog store, opening models through the app's training store. */
export function getModelStore(): StoreApi<ModelStore> {
  singleton ??= createModelStore({
    base: import.meta.env.BASE_URL,
    fetch: (u) => fetch(u),
    openRun: (bytes, name) => getTrainStore().getState().importCheckpoint(bytes, name),
    watchRuns: (listener) =>
      getTrainStore().subscribe((s, prev) => {
        if (s.run && s.run.id !== prev.run?.id) listener({ id: s.run.id, name: s.run.name });
      }),
  });
  return singleton;
}

export const modelActions = (): ModelActions => getModelStore().getState();

export function useModels<T>(selector: (s: ModelStore) => T): T {
  return useStore(getModelStore(), selector);
}

/** The shipped log to chart for the current run: its model's, when the run is a shipped model as opened. */
export function useShippedLog(): { card: ModelCard; log: ShippedLog } | null {
  const runId = useStore(getTrainStore(), (s) => s.run?.id ?? null);
  const opened = useModels((s) => s.opened);
  const card = useModels((s) => s.cards?.find((c) => c.id === opened?.id) ?? null);
  const log = useModels((s) => (opened ? s.logs[opened.id] : undefined));
  const shown = opened && opened.runId === runId && card ? opened.id : null;
  useEffect(() => {
    if (shown) void modelActions().loadLog(shown);
  }, [shown]);
  return shown && card && log ? { card, log } : null;
}
