/**
 * Byte ranges of checkpoints opened by URL, kept in the browser's Cache Storage so that reopening the same file
 * reads its directory and tensors locally. A range is keyed by the URL, the range and the file's validator (a strong
 * ETag, else Last-Modified with the size): a file that changed has another validator, so its old ranges are never
 * served; without a validator nothing is cached. Caching only saves time: a missing or failing Cache Storage (Node,
 * an insecure origin, a full quota) never fails an open, it is skipped for the rest of the session.
 */
import { userMessage } from './user-error';

export const RANGE_CACHE_NAME = 'trm-lab-checkpoint-ranges';
/** Larger single ranges are not cached (a whole file read from a server without range support stays out). */
export const MAX_CACHED_RANGE = 256 << 20;

export interface RangeCache {
  /** Bytes [offset, offset + length) of `url` as the file `validator` names, or null when not cached. */
  get(url: string, validator: string | null, offset: number, length: number): Promise<Uint8Array | null>;
  /** Keep `bytes`, read from `offset` of `url`; nothing happens without a validator or above MAX_CACHED_RANGE. */
  put(url: string, validator: string | null, offset: number, bytes: Uint8Array): Promise<void>;
  /** Forget every cached range. */
  clear(): Promise<void>;
}

/**
 * What identifies a response's file version: a strong ETag, else Last-Modified with the size (`size` from its
 * Content-Range); null when the server gives neither. A weak ETag (W/…) only promises equivalent content, not the
 * same bytes, so it does not count.
 */
export function validatorOf(headers: Headers, size: number): string | null {
  const etag = headers.get('etag')?.trim();
  if (etag && !etag.startsWith('W/')) return `etag ${etag}`;
  const modified = headers.get('last-modified')?.trim();
  return modified ? `modified ${modified}, ${size} bytes` : null;
}

export interface RangeCacheOptions {
  /** Default: `globalThis.caches` when present; null: no caching. */
  storage?: Pick<CacheStorage, 'open' | 'delete'> | null;
  /** Told when Cache Storage fails (it is then skipped for the rest of the session). */
  onError?: (message: string) => void;
}

/** Cache Storage keys are http(s) requests: a made-up address (never fetched) that holds all three parts. */
const keyOf = (url: string, validator: string, offset: number, length: number) =>
  `https://trm-lab.invalid/range?${new URLSearchParams({ url, bytes: `${offset}-${offset + length - 1}`, v: validator })}`;

export function createRangeCache(opts: RangeCacheOptions = {}): RangeCache {
  const storage = opts.storage === undefined ? (globalThis.caches as CacheStorage | undefined) : opts.storage;
  let opened: Promise<Cache | null> | undefined;
  const fail = (what: string, e: unknown): null => {
    opened = Promise.resolve(null);
    opts.onError?.(userMessage(e, `${what}; checkpoint ranges are downloaded without the browser cache`));
    return null;
  };
  const open = (): Promise<Cache | null> =>
    (opened ??= storage ? storage.open(RANGE_CACHE_NAME).catch((e: unknown) => fail('Cache Storage unavailable', e)) : Promise.resolve(null));

  return {
    async get(url, validator, offset, length) {
      if (!validator) return null;
      const cache = await open();
      if (!cache) return null;
      try {
        const res = await cache.match(keyOf(url, validator, offset, length));
        if (!res) return null;
        const bytes = new Uint8Array(await res.arrayBuffer());
        return bytes.length === length ? bytes : null;
      } catch (e) {
        return fail('reading a cached range failed', e);
      }
    },
    async put(url, validator, offset, bytes) {
      if (!validator || bytes.length > MAX_CACHED_RANGE) return;
      const cache = await open();
      if (!cache) return;
      try {
        await cache.put(keyOf(url, validator, offset, bytes.length), new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } }));
      } catch (e) {
        // A full quota lands here.
        fail('caching a range failed', e);
      }
    },
    async clear() {
      if (storage) await storage.delete(RANGE_CACHE_NAME).catch((e: unknown) => opts.onError?.(userMessage(e, 'clearing the checkpoint cache failed')));
      opened = undefined;
    },
  };
}

let shared: RangeCache | undefined;
/** The page's one range cache (Cache Storage where the browser offers it). */
export const browserRangeCache = (): RangeCache => (shared ??= createRangeCache());
