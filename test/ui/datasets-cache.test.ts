import { describe, expect, it } from 'vitest';
import { loadArcSource } from '../../src/data/arc-sources';
import { createTextCache } from '../../src/io/text-cache';
import { combinedIds } from '../helpers/datasets';
import { fakeFetch } from './datasets-fixtures';

/** Cache Storage as the browser has it, over a Map; `quota` makes puts beyond it fail like a full disk. */
function fakeCacheStorage(opts: { quota?: number; openFails?: boolean } = {}) {
  const buckets = new Map<string, Map<string, string>>();
  const storage = {
    async open(name: string) {
      if (opts.openFails) throw new DOMException('The operation is insecure.', 'SecurityError');
      const m = buckets.get(name) ?? buckets.set(name, new Map()).get(name)!;
      return {
        async match(key: string) {
          const v = m.get(key);
          return v === undefined ? undefined : new Response(v);
        },
        async put(key: string, res: Response) {
          const text = await res.text();
          const used = [...m.values()].reduce((n, v) => n + v.length, 0);
          if (opts.quota !== undefined && used + text.length > opts.quota) throw new DOMException('Quota exceeded.', 'QuotaExceededError');
          m.set(key, text);
        },
      };
    },
    async delete(name: string) {
      return buckets.delete(name);
    },
  };
  return { storage: storage as unknown as CacheStorage, buckets };
}

describe('text cache', () => {
  it('keeps texts in Cache Storage, where a second cache object (a reload) finds them', async () => {
    const { storage, buckets } = fakeCacheStorage();
    const fetch = fakeFetch();
    await loadArcSource('concept-arc', { fetch, cache: createTextCache({ storage }) });
    expect(buckets.get('trm-lab-datasets')?.size).toBe(2);
    const tasks = await loadArcSource('concept-arc', { fetch, cache: createTextCache({ storage }) });
    expect(tasks).toHaveLength(combinedIds('concept').length);
    expect(fetch.calls).toHaveLength(2);
  });

  it('clear forgets everything', async () => {
    const { storage } = fakeCacheStorage();
    const cache = createTextCache({ storage });
    await cache.put('https://x/a', 'A');
    expect(await cache.get('https://x/a')).toBe('A');
    await cache.clear();
    expect(await cache.get('https://x/a')).toBeUndefined();
  });

  it('a full quota is reported and the text is kept in memory for the session; the load itself succeeds', async () => {
    const { storage } = fakeCacheStorage({ quota: 10 });
    const errors: string[] = [];
    const cache = createTextCache({ storage, onError: (m) => errors.push(m) });
    await cache.put('https://x/small', 'tiny');
    await cache.put('https://x/big', 'x'.repeat(100));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^caching https:\/\/x\/big failed: QuotaExceededError: Quota exceeded\./);
    expect(await cache.get('https://x/big')).toBe('x'.repeat(100));
  });

  it('falls back to memory when Cache Storage is missing or refuses to open', async () => {
    for (const storage of [null, fakeCacheStorage({ openFails: true }).storage]) {
      const errors: string[] = [];
      const cache = createTextCache({ storage, onError: (m) => errors.push(m) });
      await cache.put('k', 'v');
      expect(await cache.get('k')).toBe('v');
      expect(await cache.get('other')).toBeUndefined();
      expect(errors).toEqual(storage ? ['Cache Storage unavailable: SecurityError: The operation is insecure.; datasets are cached in memory for this session only'] : []);
    }
  });
});
