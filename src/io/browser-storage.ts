/**
 * Autosave of the current run in the browser: checkpoint bytes plus a JSON record (config, metric history,
 * runs table) in OPFS where the page can write files, else IndexedDB. A save writes a new slot, then moves the
 * pointer, then deletes the old slot: a failed write (a full quota) leaves the previous save whole.
 */
import { userMessage } from './user-error';

/** Bytes by key: the two browser backends and the in-memory fake in tests. */
export interface ByteStore {
  readonly kind: 'opfs' | 'indexeddb' | 'memory';
  read(key: string): Promise<Uint8Array | null>;
  write(key: string, bytes: Uint8Array): Promise<void>;
  remove(key: string): Promise<void>;
}

export type Estimate = () => Promise<{ usage?: number; quota?: number }>;

export class QuotaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaError';
  }
}

/** Whether an error is the browser saying storage is full (DOMException names differ by engine and API). */
export function isQuotaError(err: unknown): boolean {
  const e = err as { name?: string; code?: number; message?: string } | null;
  if (!e) return false;
  return e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || e.code === 22 || e.code === 1014 || /quota/i.test(e.message ?? '');
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i && n < 10 ? 1 : 0)} ${units[i]}`;
}

/** What is saved besides the checkpoint: anything JSON (the store defines it). */
export interface SavedRun<Meta> {
  checkpoint: Uint8Array;
  meta: Meta;
}

interface Pointer {
  slot: string;
  savedAt: number;
}

const POINTER = 'autosave.json';
const RUNS = 'runs.json';
const enc = new TextEncoder(), dec = new TextDecoder();
const GOES_ON = 'Training goes on in memory; export the checkpoint to a file, or free space (site data) and save again.';

/** Stored JSON, or an error naming the stored file (never the parser's text, which quotes the bytes). */
function readJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(dec.decode(bytes));
  } catch {
    throw new Error(`the stored ${file} is damaged (${bytes.byteLength} bytes that are not JSON)`);
  }
}

/** Space a save needs beyond what is free, as a browser estimate allows (0 when it fits or is unknown). */
async function shortfall(estimate: Estimate | undefined, bytes: number): Promise<{ short: number; usage: number; quota: number } | null> {
  if (!estimate) return null;
  let e: { usage?: number; quota?: number };
  try {
    e = await estimate();
  } catch {
    return null;
  }
  if (typeof e.quota !== 'number' || typeof e.usage !== 'number') return null;
  const short = e.usage + bytes - e.quota;
  return short > 0 ? { short, usage: e.usage, quota: e.quota } : null;
}

export class RunStorage<Meta> {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly store: ByteStore,
    private readonly estimate?: Estimate,
  ) {}

  /** Save a run; on a full quota throws a QuotaError saying what was kept. Never deletes the previous save first. */
  save(run: SavedRun<Meta>, label: string): Promise<void> {
    // One save at a time: two overlapping saves would pick the same free slot.
    const r = this.chain.then(() => this.saveNow(run, label));
    this.chain = r.catch(() => undefined);
    return r;
  }

  private async saveNow(run: SavedRun<Meta>, label: string): Promise<void> {
    const meta = enc.encode(JSON.stringify(run.meta));
    const need = run.checkpoint.byteLength + meta.byteLength;
    const prev = await this.pointer();
    const kept = prev ? 'the previous autosave is kept' : 'nothing was saved before';
    const full = await shortfall(this.estimate, need);
    if (full) throw new QuotaError(`Browser storage is full (${formatBytes(full.usage)} of ${formatBytes(full.quota)} used): ${label} (${formatBytes(need)}) needs ${formatBytes(full.short)} more than is free, so it was not saved; ${kept}. ${GOES_ON}`);
    const slot = prev?.slot === 'a' ? 'b' : 'a';
    try {
      await this.store.write(`run-${slot}.safetensors`, run.checkpoint);
      await this.store.write(`run-${slot}.json`, meta);
      await this.store.write(POINTER, enc.encode(JSON.stringify({ slot, savedAt: Date.now() } satisfies Pointer)));
    } catch (err) {
      await this.dropSlot(slot);
      if (isQuotaError(err)) throw new QuotaError(`Browser storage is full: ${label} (${formatBytes(need)}) could not be written; ${kept}. ${GOES_ON}`);
      throw new Error(`Autosave failed (${this.store.kind}): ${userMessage(err)}; ${label} was not saved and ${kept}.`);
    }
    if (prev && prev.slot !== slot) await this.dropSlot(prev.slot);
  }

  /** The last complete save, or null. A damaged save reads as null with the reason thrown. */
  /** The last complete save, or null when there is none; a damaged one throws saying which file is damaged. */
  async load(): Promise<SavedRun<unknown> | null> {
    const p = await this.pointer(true);
    if (!p) return null;
    const [checkpoint, meta] = await Promise.all([this.store.read(`run-${p.slot}.safetensors`), this.store.read(`run-${p.slot}.json`)]);
    if (!checkpoint || !meta) throw new Error(`the autosave in ${this.store.kind} is incomplete (run-${p.slot}.${checkpoint ? 'json' : 'safetensors'} is missing)`);
    return { checkpoint, meta: readJson(meta, `run-${p.slot}.json`) };
  }

  async clear(): Promise<void> {
    const p = await this.pointer();
    await this.store.remove(POINTER);
    if (p) await this.dropSlot(p.slot);
  }

  /** The runs table (small JSON); a full quota here is reported but loses nothing either. */
  async saveRuns(runs: unknown): Promise<void> {
    try {
      await this.store.write(RUNS, enc.encode(JSON.stringify(runs)));
    } catch (err) {
      if (isQuotaError(err)) throw new QuotaError('Browser storage is full: the runs table was not saved (the previous copy is kept).');
      throw err;
    }
  }

  /** The runs table as stored (the caller checks its shape); throws naming the file when it is not JSON. */
  async loadRuns(): Promise<unknown> {
    const b = await this.store.read(RUNS);
    return b ? readJson(b, RUNS) : null;
  }

  /** Where the last save is; a damaged pointer reads as none when saving (the next save replaces it) and throws when loading. */
  private async pointer(strict = false): Promise<Pointer | null> {
    const b = await this.store.read(POINTER);
    if (!b) return null;
    let p: unknown = null;
    try {
      p = readJson(b, POINTER);
    } catch (err) {
      if (strict) throw err;
    }
    const slot = (p as Partial<Pointer> | null)?.slot;
    if (slot === 'a' || slot === 'b') return p as Pointer;
    if (strict) throw new Error(`the autosave's pointer (${POINTER}) names no save slot`);
    return null;
  }

  private async dropSlot(slot: string): Promise<void> {
    for (const k of [`run-${slot}.safetensors`, `run-${slot}.json`]) await this.store.remove(k).catch(() => undefined);
  }
}

/** The Origin Private File System, where the page can write files (createWritable); null where it cannot. */
export async function opfsStore(dirName = 'trm-lab'): Promise<ByteStore | null> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage?.getDirectory) return null;
  try {
    const root = await storage.getDirectory();
    const dir = await root.getDirectoryHandle(dirName, { create: true });
    const probe = await dir.getFileHandle('.probe', { create: true });
    if (typeof (probe as { createWritable?: unknown }).createWritable !== 'function') return null;
    return {
      kind: 'opfs',
      async read(key) {
        try {
          const f = await (await dir.getFileHandle(key)).getFile();
          return new Uint8Array(await f.arrayBuffer());
        } catch (err) {
          if ((err as { name?: string }).name === 'NotFoundError') return null;
          throw err;
        }
      },
      async write(key, bytes) {
        // createWritable writes a swap file and replaces the file only on close: no torn files.
        const w = await (await dir.getFileHandle(key, { create: true })).createWritable();
        try {
          await w.write(bytes as Uint8Array<ArrayBuffer>);
          await w.close();
        } catch (err) {
          await w.abort().catch(() => undefined);
          throw err;
        }
      },
      async remove(key) {
        await dir.removeEntry(key).catch((err: { name?: string }) => {
          if (err.name !== 'NotFoundError') throw err;
        });
      },
    };
  } catch {
    return null;
  }
}

function idbRequest<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** IndexedDB, one object store of byte arrays; null where IndexedDB is missing (private modes, Node). */
export async function indexedDbStore(dbName = 'trm-lab'): Promise<ByteStore | null> {
  if (typeof indexedDB === 'undefined') return null;
  const open = indexedDB.open(dbName, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('files');
  let db: IDBDatabase;
  try {
    db = await idbRequest(open);
  } catch {
    return null;
  }
  const tx = (mode: IDBTransactionMode) => db.transaction('files', mode).objectStore('files');
  const done = (t: IDBTransaction) =>
    new Promise<void>((resolve, reject) => {
      t.oncomplete = () => resolve();
      t.onabort = t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
    });
  return {
    kind: 'indexeddb',
    async read(key) {
      const v = (await idbRequest(tx('readonly').get(key))) as ArrayBuffer | undefined;
      return v ? new Uint8Array(v) : null;
    },
    async write(key, bytes) {
      const s = tx('readwrite');
      s.put(bytes.slice().buffer, key);
      await done(s.transaction);
    },
    async remove(key) {
      const s = tx('readwrite');
      s.delete(key);
      await done(s.transaction);
    },
  };
}

/** The best store this browser offers, with its quota estimate; null when neither is available. */
export async function openBrowserStorage<Meta>(): Promise<RunStorage<Meta> | null> {
  const store = (await opfsStore()) ?? (await indexedDbStore());
  if (!store) return null;
  const est = typeof navigator !== 'undefined' && navigator.storage?.estimate ? () => navigator.storage.estimate() : undefined;
  return new RunStorage<Meta>(store, est);
}
