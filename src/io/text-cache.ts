/**
 * The TextCache that src/data/arc-sources.ts loads public datasets through: the browser's Cache Storage (kept
 * across reloads, so a dataset downloads once), or a Map when Cache Storage is missing or refuses (Node, an
 * insecure origin, private browsing). Caching only saves time: a failing cache never fails a load, it reports
 * through `onError` and the load goes on.
 */
import type { TextCache } from '../data/arc-sources';
import { bound, userMessage } from './user-error';

export class MemoryTextCache implements TextCache {
  private readonly map = new Map<string, string>();
  get(key: string): string | undefined {
    return this.map.get(key);
  }
  put(key: string, value: string): void {
    this.map.set(key, value);
  }
  clear(): void {
    this.map.clear();
  }
}

export interface ClearableTextCache extends TextCache {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  /** Forget every cached text (the "clear cache" button). */
  clear(): Promise<void>;
}

export interface TextCacheOptions {
  /** Cache Storage bucket name (default 'trm-lab-datasets'). */
  name?: string;
  /** Default: `globalThis.caches` when present; null forces the in-memory cache. */
  storage?: CacheStorage | null;
  /** Told when Cache Storage fails (it is then skipped for the rest of the session). */
  onError?: (message: string) => void;
}

/** The runtime's own error classes say nothing to a person; a DOMException's name ("QuotaExceededError") does. */
const RUNTIME_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);
const describe = (e: unknown) => (e instanceof Error && !RUNTIME_ERRORS.has(e.name) ? bound(`${e.name}: ${e.message}`, 200) : userMessage(e));

export function createTextCache(opts: TextCacheOptions = {}): ClearableTextCache {
  const name = opts.name ?? 'trm-lab-datasets';
  const storage = opts.storage === undefined ? (globalThis.caches as CacheStorage | undefined) : opts.storage;
  const memory = new MemoryTextCache();
  let opened: Promise<Cache | null> | undefined;
  const fail = (what: string, e: unknown): null => {
    opened = Promise.resolve(null);
    opts.onError?.(bound(`${what}: ${describe(e)}; datasets are cached in memory for this session only`));
    return null;
  };
  const open = (): Promise<Cache | null> =>
    (opened ??= storage ? storage.open(name).catch((e) => fail('Cache Storage unavailable', e)) : Promise.resolve(null));

  return {
    async get(key) {
      const cache = await open();
      if (!cache) return memory.get(key);
      try {
        const res = await cache.match(key);
        return res ? await res.text() : undefined;
      } catch (e) {
        fail(`reading ${key} from Cache Storage failed`, e);
        return memory.get(key);
      }
    },
    async put(key, value) {
      const cache = await open();
      if (!cache) return memory.put(key, value);
      try {
        await cache.put(key, new Response(value, { headers: { 'content-type': 'text/plain; charset=utf-8' } }));
      } catch (e) {
        // A full quota lands here: keep the text for this session instead.
        fail(`caching ${key} failed`, e);
        memory.put(key, value);
      }
    },
    async clear() {
      memory.clear();
      if (storage) await storage.delete(name).catch((e: unknown) => opts.onError?.(`clearing the cache failed: ${describe(e)}`));
      opened = undefined;
    },
  };
}
