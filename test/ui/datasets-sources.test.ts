import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ARC_SOURCES, arcAgiTaskUrl, combinedUrls, MINI_ARC_DATA_URL, miniArcTaskUrl, type LoadProgress } from '../../src/data/arc-sources';
import { MemoryTextCache } from '../../src/io/text-cache';
import { collectionReducer, EMPTY_COLLECTION, settleLoad } from '../../src/ui/datasets/collection';
import { fetchWithProgress, loadPublicSet, PUBLIC_SOURCE_IDS, publicSourceUrls } from '../../src/ui/datasets/loaders';
import { loadLocal, loadPublic, useDatasets } from '../../src/ui/datasets/store';
import { publicUrlToLocalPath } from '../../src/ui/datasets/url-map';
import { combinedIds, DATASETS, hasDatasets, NEEDS_DATASETS, readArc } from '../helpers/datasets';
import { fakeFetch } from './datasets-fixtures';

describe('publicUrlToLocalPath', () => {
  it('maps every URL the public sources load to a path', () => {
    for (const id of PUBLIC_SOURCE_IDS) for (const url of publicSourceUrls(id)) expect(publicUrlToLocalPath(url), url).not.toBeNull();
    expect(publicSourceUrls('mini-arc')).toHaveLength(149);
  });

  it.skipIf(!hasDatasets)(`every mapped path is a file of the copies ${NEEDS_DATASETS}`, () => {
    for (const id of PUBLIC_SOURCE_IDS) {
      for (const url of publicSourceUrls(id)) {
        const path = publicUrlToLocalPath(url)!;
        expect(existsSync(join(DATASETS, path)), `${url} → ${path}`).toBe(true);
      }
    }
  });

  it('maps each URL pattern of arc-sources.ts, and nothing else', () => {
    expect(publicUrlToLocalPath(combinedUrls('evaluation2').solutions)).toBe('arc-kaggle/arc-agi_evaluation2_solutions.json');
    expect(publicUrlToLocalPath(arcAgiTaskUrl(1, 'training', '007bbfb7'))).toBe('arc-agi-1/training/007bbfb7.json');
    expect(publicUrlToLocalPath(arcAgiTaskUrl(2, 'evaluation', '0934a4d8'))).toBe('arc-agi-2/evaluation/0934a4d8.json');
    expect(publicUrlToLocalPath(miniArcTaskUrl('Switch_the_color_with_neighbor._l6af7q6sgcjwh33zhq6'))).toBe('mini-arc/tasks/Switch_the_color_with_neighbor._l6af7q6sgcjwh33zhq6.json');
    expect(publicUrlToLocalPath(`${arcAgiTaskUrl(1, 'training', '007bbfb7')}?raw=1#x`)).toBe('arc-agi-1/training/007bbfb7.json');
    expect(publicUrlToLocalPath('https://example.com/arc-agi-1/training/007bbfb7.json')).toBeNull();
    expect(publicUrlToLocalPath(arcAgiTaskUrl(1, 'test' as 'training', 'x'))).toBeNull();
    expect(publicUrlToLocalPath(miniArcTaskUrl('../../etc/passwd'))).toBeNull();
    expect(publicUrlToLocalPath(miniArcTaskUrl('a/b'))).toBeNull();
    expect(publicUrlToLocalPath(`${arcAgiTaskUrl(1, 'training', 'x')}`.replace('x.json', '%E0%A4%A.json'))).toBeNull();
  });
});

describe('loading public sources', () => {
  it('loads a combined split through fetch, caches it, and the second load hits the cache', async () => {
    const fetch = fakeFetch();
    const cache = new MemoryTextCache();
    const progress: LoadProgress[] = [];
    const set = await loadPublicSet('arc-agi-1-evaluation', { fetch, cache, onProgress: (p) => progress.push(p) });
    expect(set).toMatchObject({ origin: 'arc-agi-1-evaluation', kind: 'public', role: 'eval', title: ARC_SOURCES['arc-agi-1-evaluation'].title });
    expect(set.items).toHaveLength(combinedIds('evaluation').length);
    expect(set.sources).toEqual(publicSourceUrls('arc-agi-1-evaluation'));
    expect(fetch.calls).toHaveLength(2);
    expect(progress.map((p) => [p.done, p.total, p.cached])).toEqual([[1, 2, false], [2, 2, false]]);

    progress.length = 0;
    const again = await loadPublicSet('arc-agi-1-evaluation', { fetch, cache, onProgress: (p) => progress.push(p) });
    expect(fetch.calls).toHaveLength(2);
    expect(progress.every((p) => p.cached)).toBe(true);
    expect(again.items.map((i) => i.id)).toEqual(set.items.map((i) => i.id));
  });

  it.skipIf(!hasDatasets)(`Mini-ARC loads its 149 task files ${NEEDS_DATASETS}`, async () => {
    const set = await loadPublicSet('mini-arc', { fetch: fakeFetch(), cache: new MemoryTextCache() });
    expect(set.items).toHaveLength(149);
    expect(set.role).toBe('none');
    expect(set.sources).toEqual([`149 files under ${MINI_ARC_DATA_URL}/`]);
  });

  it('offline: the error names the URL, and the collection keeps what it had', async () => {
    const before = collectionReducer(EMPTY_COLLECTION, { type: 'loaded', sets: [await loadPublicSet('concept-arc', { fetch: fakeFetch() })] });
    const action = await settleLoad('arc-agi-2-evaluation', 'public', async () => [await loadPublicSet('arc-agi-2-evaluation', { fetch: fakeFetch({ offline: true }) })]);
    const after = collectionReducer(before, action);
    expect(after.sets).toEqual(before.sets);
    expect(after.errors).toHaveLength(1);
    const { challenges } = combinedUrls('evaluation2');
    expect(after.errors[0]).toEqual({ origin: 'arc-agi-2-evaluation', kind: 'public', message: `could not fetch ${challenges} (offline or blocked?): Failed to fetch` });
  });

  it('a corrupted download is an error naming the URL and is not cached, so the next load fetches again', async () => {
    const { solutions } = combinedUrls('training');
    const broken = fakeFetch({ edit: (url, text) => (url === solutions ? text.slice(0, 1000) : text) });
    const cache = new MemoryTextCache();
    await expect(loadPublicSet('arc-agi-1-training', { fetch: broken, cache })).rejects.toThrow(`${solutions}: invalid JSON`);
    const fetch = fakeFetch();
    const set = await loadPublicSet('arc-agi-1-training', { fetch, cache });
    expect(set.items).toHaveLength(combinedIds('training').length);
    expect(fetch.calls).toEqual([combinedUrls('training').challenges, solutions]);
  });

  it('fetchWithProgress streams the body, reporting bytes, and returns the same text', async () => {
    const text = readArc('arc-kaggle/arc-agi_concept_solutions.json');
    const bytes = new TextEncoder().encode(text);
    const chunk = Math.ceil(bytes.length / 7); // several chunks whatever the file's size
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += chunk) c.enqueue(bytes.subarray(i, i + chunk));
        c.close();
      },
    });
    const seen: [number, number | undefined][] = [];
    const f = fetchWithProgress(async () => new Response(body, { headers: { 'content-length': String(bytes.length) } }), (_u, n, total) => seen.push([n, total]));
    const res = await f('https://x/y.json');
    expect(res.ok).toBe(true);
    expect(await res.text()).toBe(text);
    expect(seen.length).toBe(7);
    expect(seen[seen.length - 1]).toEqual([bytes.length, bytes.length]);
  });
});

describe('datasets store', () => {
  beforeEach(() => useDatasets.getState().dispatch({ type: 'clear' }));

  it('loadPublic records progress while loading, then the set; a failure afterwards keeps the set and shows the error', async () => {
    const cache = new MemoryTextCache();
    const seen: string[] = [];
    const unsub = useDatasets.subscribe((s) => {
      const l = s.loading['concept-arc'];
      if (l) seen.push(`${l.done}/${l.total}`);
    });
    await loadPublic('concept-arc', { fetch: fakeFetch() as unknown as typeof fetch, cache });
    unsub();
    expect(seen).toEqual(['0/0', '1/2', '2/2']);
    const count = combinedIds('concept').length;
    let s = useDatasets.getState();
    expect(s.sets.map((x) => [x.origin, x.items.length])).toEqual([['concept-arc', count]]);
    expect(s.loading).toEqual({});

    // Reload with the cache cleared while offline: the error names the URL, the tasks stay.
    await loadPublic('concept-arc', { fetch: fakeFetch({ offline: true }) as unknown as typeof fetch, cache: new MemoryTextCache() });
    s = useDatasets.getState();
    expect(s.sets[0].items).toHaveLength(count);
    expect(s.errors[0].message).toBe(`could not fetch ${combinedUrls('concept').challenges} (offline or blocked?): Failed to fetch`);
  });

  it('loadLocal adds good files and lists bad ones by file', async () => {
    await loadLocal([
      { name: '007bbfb7.json', text: async () => readArc('arc-agi-1/training/007bbfb7.json') },
      { name: 'broken.json', text: async () => '{"train": [}' },
    ]);
    const s = useDatasets.getState();
    expect(s.sets.map((x) => x.origin)).toEqual(['local:007bbfb7.json']);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ origin: 'broken.json', kind: 'local' });
    expect(s.errors[0].message).toMatch(/^broken\.json: invalid JSON/);
    expect(s.loading).toEqual({});
  });
});
