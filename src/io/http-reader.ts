/**
 * Random access to a file behind a URL through HTTP range requests, so a multi-gigabyte checkpoint is opened by
 * reading its directory and the tensors a run needs, never the whole file. A server that ignores Range is
 * accepted only for a file below `wholeFileLimit`, read once; above it the error says why. Ranges past the first
 * request come from the browser cache when this version of the file was read before (src/io/range-cache.ts): the
 * first request, always downloaded, gives the validator that says whether it is the same version.
 */
import { browserRangeCache, validatorOf, type RangeCache } from './range-cache';
import { InputError, quote, userMessage } from './user-error';
import { bytesReader, type RandomAccess } from './zip';

/** Largest file read whole from a server without range support. */
export const WHOLE_FILE_LIMIT = 256 << 20;
/** The first request's range: the safetensors header or a small zip's end records usually lie inside it. */
const FIRST_CHUNK = 64 << 10;

export interface HttpReaderOptions {
  fetch?: typeof fetch;
  wholeFileLimit?: number;
  /** Default: the browser's Cache Storage where there is one; null: always download. */
  cache?: RangeCache | null;
}

/** `bytes 0-65535/1234567` → 1234567 (null when absent or not a byte range with a total). */
function totalOf(contentRange: string | null): number | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange?.trim() ?? '');
  return m ? Number(m[3]) : null;
}

/** Random access over HTTP, with the bytes obtained so far (downloaded or from the cache) and those from the cache. */
export type HttpReader = RandomAccess & { readonly bytesRead: number; readonly bytesCached: number };

/** Open `url` for random access; throws InputError naming the URL when it cannot be. */
export async function httpReader(url: string, opts: HttpReaderOptions = {}): Promise<HttpReader> {
  const get = opts.fetch ?? fetch;
  const limit = opts.wholeFileLimit ?? WHOLE_FILE_LIMIT;
  const cache = opts.cache === undefined ? browserRangeCache() : opts.cache;
  const name = quote(url, 120);
  const request = async (from: number, to: number): Promise<Response> => {
    let res: Response;
    try {
      res = await get(url, { headers: { Range: `bytes=${from}-${to}` } });
    } catch (err) {
      throw new InputError(userMessage(err, `${name} could not be fetched (offline, or the server does not allow this page: CORS)`));
    }
    if (!res.ok) throw new InputError(`${name}: the server answered ${res.status}${res.statusText ? ` ${quote(res.statusText, 60)}` : ''}`);
    return res;
  };
  let fetched = 0, cached = 0;
  const body = async (res: Response): Promise<Uint8Array> => {
    try {
      const b = new Uint8Array(await res.arrayBuffer());
      fetched += b.length;
      return b;
    } catch (err) {
      throw new InputError(userMessage(err, `${name}: the download broke off`));
    }
  };

  const first = await request(0, FIRST_CHUNK - 1);
  if (first.status !== 206) {
    // No range support: the whole file came (or is coming) back.
    const length = Number(first.headers.get('content-length') ?? NaN);
    if (!(length <= limit)) {
      await first.body?.cancel().catch(() => undefined);
      throw new InputError(`${name}: the server does not support range requests, and the file is ${Number.isFinite(length) ? `${length} bytes, over the ${limit} bytes` : 'of unknown size, so over the limit'} read whole`);
    }
    const bytes = await body(first);
    if (bytes.length > limit) throw new InputError(`${name}: the server sent ${bytes.length} bytes without range support, over the ${limit} bytes read whole`);
    return { ...bytesReader(bytes), bytesRead: bytes.length, bytesCached: 0 };
  }
  const size = totalOf(first.headers.get('content-range'));
  if (size === null) throw new InputError(`${name}: the server's range answer has no readable Content-Range (cross-origin servers must expose it)`);
  const head = await body(first);
  if (head.length !== Math.min(FIRST_CHUNK, size)) throw new InputError(`${name}: asked for ${Math.min(FIRST_CHUNK, size)} bytes, got ${head.length}`);
  const version = validatorOf(first.headers, size);

  return {
    size,
    get bytesRead() {
      return fetched + cached;
    },
    get bytesCached() {
      return cached;
    },
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size) throw new InputError(`${name}: bytes ${offset}..${offset + length} lie outside the file (${size} bytes)`);
      if (offset + length <= head.length) return head.slice(offset, offset + length);
      if (length === 0) return new Uint8Array(0);
      const kept = await cache?.get(url, version, offset, length);
      if (kept) {
        cached += kept.length;
        return kept;
      }
      const res = await request(offset, offset + length - 1);
      const sent = res.headers.get('content-length');
      if (res.status !== 206 || (sent !== null && Number(sent) !== length)) {
        // Never read a body that is not the range asked for: it may be the whole (huge) file.
        await res.body?.cancel().catch(() => undefined);
        throw new InputError(res.status !== 206
          ? `${name}: the server stopped honouring range requests (answered ${res.status})`
          : `${name}: asked for bytes ${offset}..${offset + length}, the server is sending ${sent} bytes (did the file change?)`);
      }
      const got = await body(res);
      if (got.length !== length) throw new InputError(`${name}: asked for bytes ${offset}..${offset + length}, got ${got.length} bytes (did the file change?)`);
      // Kept only as the version the first answer named: a range of another version must not be served for it.
      if (validatorOf(res.headers, size) === version) await cache?.put(url, version, offset, got);
      return got;
    },
  };
}
